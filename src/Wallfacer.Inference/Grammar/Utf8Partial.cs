namespace Wallfacer.Inference.Grammar;

/// <summary>
/// Incremental UTF-8 decoding across token boundaries: the bits of a character read so far, how many
/// continuation bytes it still needs and its encoded length (llama.cpp's <c>llama_partial_utf8</c>).
/// </summary>
internal readonly record struct Utf8Partial(int Value, int Missing, int Length)
{
    public static Utf8Partial None => default;

    public bool IsPending => Missing > 0;

    /// <summary>The lowest and highest code point the pending bytes can still become (no overlong forms).</summary>
    public (int Lo, int Hi) Range
    {
        get
        {
            int shift = 6 * Missing;
            int lo = Math.Max(Value << shift, Floor(Length));
            int hi = Math.Min((Value << shift) | ((1 << shift) - 1), 0x10FFFF);
            return (lo, hi);
        }
    }

    private static int Floor(int length) => length switch { 2 => 0x80, 3 => 0x800, 4 => 0x10000, _ => 0 };

    /// <summary>
    /// Adds a byte. Returns the completed code point (≥ 0), −1 when the character is still pending
    /// (<paramref name="next"/> holds it), or −2 for invalid UTF-8 (bad byte, overlong form, surrogate, beyond U+10FFFF).
    /// </summary>
    public int Push(byte b, out Utf8Partial next)
    {
        next = None;
        if (Missing == 0)
        {
            if (b < 0x80) return b;
            if ((b & 0xE0) == 0xC0) { next = new(b & 0x1F, 1, 2); return b < 0xC2 ? -2 : -1; }
            if ((b & 0xF0) == 0xE0) { next = new(b & 0x0F, 2, 3); return -1; }
            if ((b & 0xF8) == 0xF0) { next = new(b & 0x07, 3, 4); return b > 0xF4 ? -2 : -1; }
            return -2;
        }
        if ((b & 0xC0) != 0x80) return -2;
        int value = (Value << 6) | (b & 0x3F);
        if (Missing > 1)
        {
            next = new(value, Missing - 1, Length);
            var (lo, hi) = next.Range;
            return lo > hi || (lo >= 0xD800 && hi <= 0xDFFF) ? -2 : -1; // overlong, beyond U+10FFFF, or a surrogate
        }
        if (value < Floor(Length) || value > 0x10FFFF || value is >= 0xD800 and <= 0xDFFF) return -2;
        return value;
    }
}
