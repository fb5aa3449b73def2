using System.Text;
using Wallfacer.Tokenizers;

namespace Wallfacer.Inference.Engine;

/// <summary>
/// Watches generated tokens for the text (or special token) that switches a lazy grammar on, and returns the output
/// from the trigger's first character — what the grammar must accept before it constrains the next token.
/// </summary>
/// <remarks>
/// It reads each token's raw bytes, as the grammar does, not the streamed text (which may hold characters back or
/// clean spaces), so what it hands over is exactly what the grammar would have seen.
/// </remarks>
internal sealed class LazyGrammarTrigger
{
    private readonly ITokenizer _tokenizer;
    private readonly IReadOnlyList<string> _texts;
    private readonly HashSet<int> _tokens;
    private readonly int _longest;
    private readonly StringBuilder _output = new();
    private readonly Decoder _utf8 = Encoding.UTF8.GetDecoder();
    private readonly char[] _chars = new char[64];

    public LazyGrammarTrigger(ITokenizer tokenizer, IReadOnlyList<string> texts, IReadOnlyList<int> tokens)
    {
        _tokenizer = tokenizer;
        _texts = texts;
        _tokens = [.. tokens];
        _longest = texts.Count == 0 ? 0 : texts.Max(t => t.Length);
    }

    public bool IsTriggerToken(int token) => _tokens.Contains(token);

    /// <summary>Adds a picked token; returns the output from the trigger on once a trigger has appeared, else null.</summary>
    public string? Push(int token)
    {
        int before = _output.Length;
        if (IsTriggerToken(token))
        {
            _output.Append(_tokenizer.Vocabulary.GetText(token));
            return _output.ToString(before, _output.Length - before);
        }
        AppendBytes(_tokenizer.TokenBytes(token));
        int start = FirstTrigger(Math.Max(0, before - _longest + 1));
        return start < 0 ? null : _output.ToString(start, _output.Length - start);
    }

    private void AppendBytes(byte[] bytes)
    {
        int offset = 0;
        while (offset < bytes.Length)
        {
            int take = Math.Min(16, bytes.Length - offset);
            _utf8.Convert(bytes, offset, take, _chars, 0, _chars.Length, flush: false, out int used, out int written, out _);
            _output.Append(_chars, 0, written);
            offset += used;
        }
    }

    /// <summary>The earliest index at or after <paramref name="from"/> where a trigger text starts, or −1.</summary>
    private int FirstTrigger(int from)
    {
        string tail = _output.ToString(from, _output.Length - from);
        int best = -1;
        foreach (string trigger in _texts)
        {
            int i = tail.IndexOf(trigger, StringComparison.Ordinal);
            if (i >= 0 && (best < 0 || i < best))
                best = i;
        }
        return best < 0 ? -1 : from + best;
    }
}
