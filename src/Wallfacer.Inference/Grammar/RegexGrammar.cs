namespace Wallfacer.Inference.Grammar;

/// <summary>
/// Regular expression → GBNF for the common subset: literals, escapes (<c>\d \w \s</c> and their negations,
/// <c>\n \t \xHH \uHHHH</c>, escaped punctuation), classes with ranges and negation, <c>.</c>, <c>* + ? {m} {m,} {m,n}</c>
/// (lazy forms match the same language), groups (<c>(...)</c>, <c>(?:...)</c>), alternation, and <c>^</c> / <c>$</c>
/// at the ends. Anything else (backreferences, lookaround, word boundaries, inline flags, possessive
/// quantifiers, anchors inside the pattern) is a <see cref="GrammarException"/>.
/// </summary>
public static class RegexGrammar
{
    /// <summary>A grammar whose sentences are exactly the strings the whole of <paramref name="pattern"/> matches (anchors optional).</summary>
    /// <exception cref="GrammarException">The pattern uses an unsupported feature or is malformed.</exception>
    public static GbnfGrammar Compile(string pattern) => GbnfGrammar.Parse(ToGbnf(pattern));

    /// <summary>The GBNF text <see cref="Compile"/> parses.</summary>
    public static string ToGbnf(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var translator = new RegexTranslator(pattern, jsonStringCharRule: null);
        return "root ::= " + translator.Translate() + "\n";
    }
}
