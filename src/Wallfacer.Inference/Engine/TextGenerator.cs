namespace Wallfacer.Inference.Engine;

/// <summary>
/// Turns a prompt into a stream of tokens. The string overloads tokenize the prompt with the options'
/// special-token rules; <see cref="Start(InferenceSession, IReadOnlyList{int}, GenerationOptions)"/> takes
/// tokens and exposes the run's counts and timings (see <see cref="GenerationRun"/>).
/// </summary>
public static class TextGenerator
{
    /// <summary>Prepares a generation from prompt tokens; nothing runs until its steps are enumerated.</summary>
    public static GenerationRun Start(InferenceSession session, IReadOnlyList<int> promptTokens, GenerationOptions options) =>
        new(session, promptTokens, options);

    /// <summary>Prepares a generation from a text prompt.</summary>
    public static GenerationRun Start(InferenceSession session, string prompt, GenerationOptions options) =>
        new(session, Tokenize(session, prompt, options), options);

    /// <summary>Generates from <paramref name="prompt"/> (appended to the session's sequence unless the prompt cache is on).</summary>
    public static IEnumerable<TokenStep> Generate(InferenceSession session, string prompt, GenerationOptions options,
        CancellationToken cancellationToken = default) =>
        Start(session, prompt, options).Steps(cancellationToken);

    /// <summary>The streaming form; each token is computed on the thread pool so the caller's thread stays free.</summary>
    public static IAsyncEnumerable<TokenStep> GenerateAsync(InferenceSession session, string prompt,
        GenerationOptions options, CancellationToken cancellationToken = default) =>
        Start(session, prompt, options).StepsAsync(cancellationToken);

    /// <summary>Generates to the end and returns the text, tokens and timings.</summary>
    public static GenerationResult Complete(InferenceSession session, string prompt, GenerationOptions options,
        CancellationToken cancellationToken = default)
    {
        var run = Start(session, prompt, options);
        var steps = run.Steps(cancellationToken).Where(s => s.Token >= 0).ToList();
        return new GenerationResult
        {
            PromptTokens = run.PromptTokens,
            CachedPromptTokens = run.CachedPromptTokens,
            Steps = steps,
            Text = run.Text,
            FinishReason = run.FinishReason,
            PromptTime = run.PromptTime,
            GenerationTime = run.GenerationTime,
            Seed = run.Seed,
        };
    }

    private static int[] Tokenize(InferenceSession session, string prompt, GenerationOptions options)
    {
        var tokens = session.Model.Tokenizer.Encode(prompt, options.AddSpecialTokens, options.ParseSpecialTokens);
        if (tokens.Length == 0)
            throw new ArgumentException("The prompt is empty: it produced no tokens.", nameof(prompt));
        return tokens;
    }
}
