using System.Text;

namespace Wallfacer.Inference.Tools;

/// <summary>
/// Splits streamed text into content for the user and the call section: text is passed on until the trigger
/// appears; a tail that could be the start of the trigger is held back (like a stop string) until it is
/// decided. Everything is also kept whole for parsing when generation ends.
/// </summary>
public sealed class ToolCallStreamSplitter
{
    private readonly string _trigger;
    private readonly StringBuilder _all = new();
    private int _emitted;

    internal ToolCallStreamSplitter(string trigger, bool startInCall)
    {
        _trigger = trigger;
        InCall = startInCall;
    }

    /// <summary>True once the output has opened a call: no more content is passed on.</summary>
    public bool InCall { get; private set; }

    /// <summary>How many characters of the output were passed on as content.</summary>
    public int ContentLength => _emitted;

    /// <summary>The whole output so far.</summary>
    public string Output => _all.ToString();

    /// <summary>Adds generated text; returns the content that is now certain not to belong to a call.</summary>
    public string Push(string text)
    {
        _all.Append(text);
        if (InCall)
            return "";
        string all = _all.ToString();
        int at = all.IndexOf(_trigger, _emitted, StringComparison.Ordinal);
        if (at >= 0)
        {
            InCall = true;
            return Take(at);
        }
        return Take(all.Length - HeldBack(all));
    }

    /// <summary>At the end: content still held back (a trigger prefix that never completed).</summary>
    public string Flush() => InCall ? "" : Take(_all.Length);

    private string Take(int upTo)
    {
        if (upTo <= _emitted)
            return "";
        string piece = _all.ToString(_emitted, upTo - _emitted);
        _emitted = upTo;
        return piece;
    }

    /// <summary>The length of the longest suffix of <paramref name="all"/> that is a proper prefix of the trigger.</summary>
    private int HeldBack(string all)
    {
        for (int n = Math.Min(_trigger.Length - 1, all.Length - _emitted); n > 0; n--)
        {
            if (string.CompareOrdinal(all, all.Length - n, _trigger, 0, n) == 0)
                return n;
        }
        return 0;
    }
}
