namespace Wallfacer.Tokenizers.Unicode;

/// <summary>
/// Codepoint → category and whitespace, with llama.cpp's tables (not .NET's, whose Unicode version
/// differs), so that pre-tokenization splits text exactly where llama.cpp does.
/// </summary>
internal static partial class CodepointCategories
{
    /// <summary>One past the largest codepoint.</summary>
    public const int MaxCodepoint = 0x110000;

    private static readonly Lazy<byte[]> Flat = new(BuildFlatTable);

    /// <summary>The category of <paramref name="codepoint"/>; <see cref="CategoryFlags.Undefined"/> beyond Unicode.</summary>
    public static CategoryFlags Of(int codepoint)
    {
        if ((uint)codepoint >= MaxCodepoint)
            return CategoryFlags.Undefined;
        return (CategoryFlags)Flat.Value[codepoint];
    }

    /// <summary>llama.cpp's whitespace set (src/unicode-data.cpp, unicode_set_whitespace).</summary>
    public static bool IsWhitespace(int codepoint) => codepoint switch
    {
        >= 0x09 and <= 0x0D => true,
        0x20 or 0x85 or 0xA0 or 0x1680 => true,
        >= 0x2000 and <= 0x200A => true,
        0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000 => true,
        _ => false,
    };

    public static bool IsLetter(int codepoint) => (Of(codepoint) & CategoryFlags.Letter) != 0;

    public static bool IsNumber(int codepoint) => (Of(codepoint) & CategoryFlags.Number) != 0;

    private static byte[] BuildFlatTable()
    {
        // 1.1 MB, built once: the splitters ask for every codepoint of every text.
        var table = new byte[MaxCodepoint];
        for (int r = 0; r + 1 < RangeStarts.Length; r++)
            table.AsSpan(RangeStarts[r], RangeStarts[r + 1] - RangeStarts[r]).Fill(RangeFlags[r]);
        return table;
    }
}
