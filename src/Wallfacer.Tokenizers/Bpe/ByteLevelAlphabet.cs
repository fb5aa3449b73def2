namespace Wallfacer.Tokenizers.Bpe;

/// <summary>
/// GPT-2's reversible byte → printable character mapping (bytes_to_unicode): printable Latin-1 bytes map to
/// themselves, the other 68 bytes to U+0100.. in byte order. Every mapped character is one UTF-16 char.
/// (llama.cpp src/unicode.cpp, unicode_byte_to_utf8_map / unicode_utf8_to_byte_map.)
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] CharByByte = BuildCharByByte();
    private static readonly short[] ByteByChar = BuildByteByChar();

    public static char ToChar(byte b) => CharByByte[b];

    /// <summary>The byte a character stands for, or -1 if it is not in the alphabet.</summary>
    public static int ToByte(int codepoint) =>
        codepoint >= 0 && codepoint < ByteByChar.Length ? ByteByChar[codepoint] : -1;

    private static bool MapsToItself(int b) => b is >= 0x21 and <= 0x7E or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;

    private static char[] BuildCharByByte()
    {
        var map = new char[256];
        int next = 0;
        for (int b = 0; b < 256; b++)
            map[b] = MapsToItself(b) ? (char)b : (char)(256 + next++);
        return map;
    }

    private static short[] BuildByteByChar()
    {
        var map = new short[512];
        Array.Fill(map, (short)-1);
        for (int b = 0; b < 256; b++)
            map[CharByByte[b]] = (short)b;
        return map;
    }
}
