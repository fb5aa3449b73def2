namespace Wallfacer.Tokenizers.Unicode;

/// <summary>
/// The coarse Unicode categories llama.cpp's pre-tokenizers test (src/unicode.h, unicode_cpt_flags).
/// Exactly one category bit is set for every codepoint below 0x110000; <see cref="None"/> is what
/// llama.cpp reports for a position outside the text being split.
/// </summary>
[Flags]
internal enum CategoryFlags : byte
{
    None = 0,
    Undefined = 0x01,
    Number = 0x02,      // \p{N}
    Letter = 0x04,      // \p{L}
    Separator = 0x08,   // \p{Z}
    AccentMark = 0x10,  // \p{M}
    Punctuation = 0x20, // \p{P}
    Symbol = 0x40,      // \p{S}
    Control = 0x80,     // \p{C}
}
