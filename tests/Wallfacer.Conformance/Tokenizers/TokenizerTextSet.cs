namespace Wallfacer.Conformance.Tokenizers;

/// <summary>
/// Texts for comparing our tokenizers with llama.cpp: scripts, code, emoji, numbers, whitespace,
/// special-token strings and edge cases. Every entry is handed to llama.cpp as
/// <c>Encoding.UTF8.GetBytes(text)</c> (the harness's marshalling), so invalid UTF-16 such as a lone
/// surrogate reaches llama.cpp as U+FFFD (EF BF BD); our tokenizer must treat it the same way.
/// </summary>
internal static class TokenizerTextSet
{
    /// <summary>A 2,000-character word with no spaces, to stress long pre-token words and BPE merging.</summary>
    private static readonly string LongWord = string.Concat(Enumerable.Repeat("antidisestablishmentarianism", 72))[..2000];

    public static IReadOnlyList<string> Texts { get; } =
    [
        // 0: empty and whitespace-only
        "",
        " ",
        "  ",
        "   ",
        "    ",
        "     ",
        "      ",
        "       ",
        "        ",
        "\t",
        // 10
        "\t\tindented\twith\ttabs",
        "\n",
        "\n\n\n",
        "\r\n",
        "line one\r\nline two\r\n\r\nline four",
        "   leading spaces",
        "trailing spaces   ",
        "  both sides  ",
        "a b  c   d    e     f      g       h        i",
        // 19: English prose
        "The quick brown fox jumps over the lazy dog.",
        // 20
        "I don't think I'll go; it's John's car, and they've said we'd be late. Isn't it?",
        "\"Quoted,\" she said — then paused… (parenthetical) [bracketed] {braced}!?",
        "HELLO World, hello WORLD; HeLLo wOrLd.",
        "Mr. O'Neill's dog's bone wasn't there'",
        // 24: other scripts
        "我们今天去公园散步，天气很好。",
        "今日は良い天気ですね。カタカナとひらがな、漢字。",
        "안녕하세요, 세계! 한국어 텍스트입니다.",
        "مرحبا بالعالم، هذا نص عربي.",
        "שלום עולם, זה טקסט בעברית.",
        "Привет, мир! Съешь же ещё этих мягких французских булок.",
        // 30
        "Ελληνικά: γειά σου κόσμε",
        "Crème brûlée, naïve café, São Paulo, Zürich, Łódź, Ærøskøbing, ñandú.",
        "e\u0301 (combining acute) vs \u00e9 (precomposed), A\u030A vs \u00C5",
        "हिन्दी पाठ और ไทย ภาษา",
        // 34: code
        "public static int Add(int a, int b) { return a + b; } // C#\nvar list = new List<string>();",
        "def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n\nprint(fib(10))\n",
        "{\"name\": \"wallfacer\", \"values\": [1, 2.5, -3e10, true, null], \"nested\": {\"k\": \"v\"}}",
        "for (i = 0; i < 10; i++) {\n\tx[i] = i * 2;\n}",
        "<div class=\"main\">&amp; &lt;tag&gt;</div>",
        // 39: emoji
        "Hello 😀 world 🎉!",
        // 40
        "Family: 👨‍👩‍👧‍👦, technologist: 👩🏽‍💻, heart: ❤️",
        "Skin tones: 👍🏻 👍🏼 👍🏽 👍🏾 👍🏿",
        "Flags: 🇺🇸🇯🇵🇫🇷 🏳️‍🌈",
        "🦙🦙🦙",
        // 44: numbers
        "1",
        "12",
        "123",
        "1234",
        "12345",
        "1234567890",
        // 50
        "3.14159",
        "1,000,000",
        "-42 +17 0x1F 1e-9 99.99% $1,234.56",
        "2026-11-22T07:00:00Z and 192.168.0.1",
        "١٢٣ ４５６ ⅷ",
        // 55: special-token strings
        "<s>",
        "</s>",
        "<s>Hello</s>",
        "<|im_start|>user\nHi<|im_end|>",
        "<|endoftext|>",
        // 60
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>",
        "<|im_st",
        "<|endof",
        " <s> </s> <unk> <pad>",
        "<|END_OF_TURN_TOKEN|><BOS_TOKEN>",
        // 65: edge cases
        LongWord,
        "\ud800",
        "lone \udfff surrogate",
        "\u00a0non-breaking\u2003em-space\u200bzero-width",
        "\0nul and \u0001control\u007f",
        // 70
        " Hello",
        "Hello\n",
        "...!!!???---___",
        "DON'T YOU'LL HE'S we'RE 's 'll 't 've 'd 'm",
        "12345678901234567890 000123 1.2.3.4.5",
        // 75
        "abc123def 4ever x86_64 COVID-19",
        "high surrogate at the end \ud83d",
        " \n \t\n  \n\n \r\n\r\n\t ",
        "▁literal▁SPM▁marks ▁ ▁▁",
        "<0x41><0x0A> byte-token text",
        // 80
        "<|im_start|> user <|im_end|>\n<|eot_id|><unk>",
        "<|fim_prefix|>def f():<|fim_suffix|>\n<|fim_middle|>",
        "<<s>> <</s>> <|<|im_start|>|>",
        "ǅungla ǈ ß ẞ ﬁ ﬂ ＡＢＣ ｱｲｳ",
        "x" + new string(' ', 40) + "y",
    ];
}
