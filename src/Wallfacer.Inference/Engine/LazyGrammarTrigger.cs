using System.Text;
using Wallfacer.Inference.Grammar;
using Wallfacer.Tokenizers;

namespace Wallfacer.Inference.Engine;

/// <summary>
/// Watches generated tokens for the text (or special token) that switches a lazy grammar on, and returns the output
/// from the trigger's first character — what the grammar must accept before it constrains the next token.
/// </summary>
/// <remarks>
/// It reads each token's raw bytes (the grammar's own cached spelling, <see cref="TokenTrie"/>), as the grammar does,
/// not the streamed text (which may hold characters back or clean spaces), so what it hands over is exactly what the
/// grammar would have seen. It runs in the token loop: it allocates only when the output outgrows its buffer.
/// </remarks>
internal sealed class LazyGrammarTrigger
{
    private readonly Vocabulary _vocabulary;
    private readonly TokenTrie _spelling;
    private readonly IReadOnlyList<string> _texts;
    private readonly HashSet<int> _tokens;
    private readonly int _longest;
    private readonly Decoder _utf8 = Encoding.UTF8.GetDecoder();
    private char[] _output = new char[256];
    private int _length;

    public LazyGrammarTrigger(ITokenizer tokenizer, IReadOnlyList<string> texts, IReadOnlyList<int> tokens)
    {
        _vocabulary = tokenizer.Vocabulary;
        _spelling = TokenTrie.For(tokenizer);
        _texts = texts;
        _tokens = [.. tokens];
        _longest = texts.Count == 0 ? 0 : texts.Max(t => t.Length);
    }

    public bool IsTriggerToken(int token) => _tokens.Contains(token);

    /// <summary>Adds a picked token; returns the output from the trigger on once a trigger has appeared, else null.</summary>
    public string? Push(int token)
    {
        int before = _length;
        if (IsTriggerToken(token))
        {
            Append(_vocabulary.GetText(token));
            return new string(_output, before, _length - before);
        }
        if (_spelling.Contains(token))
            AppendBytes(_spelling.BytesOf(token));
        int start = FirstTrigger(Math.Max(0, before - _longest + 1));
        return start < 0 ? null : new string(_output, start, _length - start);
    }

    private void AppendBytes(ReadOnlySpan<byte> bytes)
    {
        Reserve(_utf8.GetCharCount(bytes, flush: false));
        _length += _utf8.GetChars(bytes, _output.AsSpan(_length), flush: false);
    }

    private void Append(string text)
    {
        Reserve(text.Length);
        text.CopyTo(_output.AsSpan(_length));
        _length += text.Length;
    }

    private void Reserve(int more)
    {
        if (_length + more > _output.Length)
            Array.Resize(ref _output, Math.Max(_output.Length * 2, _length + more));
    }

    /// <summary>The earliest index at or after <paramref name="from"/> where a trigger text starts, or −1.</summary>
    private int FirstTrigger(int from)
    {
        var tail = _output.AsSpan(from, _length - from);
        int best = -1;
        for (int t = 0; t < _texts.Count; t++)
        {
            int i = tail.IndexOf(_texts[t].AsSpan(), StringComparison.Ordinal);
            if (i >= 0 && (best < 0 || i < best))
                best = i;
        }
        return best < 0 ? -1 : from + best;
    }
}
