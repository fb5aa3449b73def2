using System.Diagnostics;
using System.Runtime.CompilerServices;
using Wallfacer.Inference.Sampling;
using Wallfacer.Tokenizers;

namespace Wallfacer.Inference.Engine;

/// <summary>
/// Turns a prompt into a stream of tokens: tokenize, evaluate the prompt, then sample, detokenize
/// (whole UTF-8 characters only), watch for stop strings and stop at end-of-generation, max tokens or a
/// full context.
/// </summary>
public static class TextGenerator
{
    /// <summary>Generates from <paramref name="prompt"/>, appending to the session's sequence.</summary>
    public static IEnumerable<TokenStep> Generate(InferenceSession session, string prompt, GenerationOptions options,
        CancellationToken cancellationToken = default)
    {
        var run = new GenerationRun(session, options);
        return run.Steps(run.Tokenize(prompt), cancellationToken);
    }

    /// <summary>The streaming form; each token is computed on the thread pool so the caller's thread stays free.</summary>
    public static async IAsyncEnumerable<TokenStep> GenerateAsync(InferenceSession session, string prompt,
        GenerationOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var steps = Generate(session, prompt, options, cancellationToken).GetEnumerator();
        while (await Task.Run(steps.MoveNext, cancellationToken).ConfigureAwait(false))
            yield return steps.Current;
    }

    /// <summary>Generates to the end and returns the text, tokens and timings.</summary>
    public static GenerationResult Complete(InferenceSession session, string prompt, GenerationOptions options,
        CancellationToken cancellationToken = default)
    {
        var run = new GenerationRun(session, options);
        var promptTokens = run.Tokenize(prompt);
        var steps = run.Steps(promptTokens, cancellationToken).ToList();
        return run.Result(promptTokens, steps);
    }

    /// <summary>The state of one generation call.</summary>
    private sealed class GenerationRun(InferenceSession session, GenerationOptions options)
    {
        private readonly Sampler _sampler = CreateSampler(session, options);
        private readonly Stopwatch _clock = new();
        private TimeSpan _promptTime;
        private FinishReason _finish = FinishReason.MaxTokens;
        private readonly System.Text.StringBuilder _text = new();
        private readonly int[] _next = new int[1];

        private static Sampler CreateSampler(InferenceSession session, GenerationOptions options)
        {
            options.Validate();
            return new Sampler(options.Sampling, session.VocabSize);
        }

        public int[] Tokenize(string prompt)
        {
            var tokens = session.Model.Tokenizer.Encode(prompt, options.AddSpecialTokens, options.ParseSpecialTokens);
            if (tokens.Length == 0)
                throw new ArgumentException("The prompt is empty: it produced no tokens.", nameof(prompt));
            return tokens;
        }

        public IEnumerable<TokenStep> Steps(int[] promptTokens, CancellationToken ct)
        {
            var tokenizer = session.Model.Tokenizer;
            var decoder = new StreamingDecoder(tokenizer);
            var stops = new StopStringMatcher(options.StopStrings);
            foreach (int t in promptTokens)
                _sampler.Accept(t);

            _clock.Restart();
            session.Evaluate(promptTokens, ct);
            _promptTime = _clock.Elapsed;
            _clock.Restart();

            for (int produced = 0; produced < options.MaxTokens; produced++)
            {
                ct.ThrowIfCancellationRequested();
                int token = _sampler.Sample(session.LastLogits);
                float logprob = Logprobs.LogSoftmaxAt(session.LastLogits, token);
                var top = TopOf(session.LastLogits);
                _sampler.Accept(token);
                if (tokenizer.Vocabulary.IsEndOfGeneration(token))
                {
                    _finish = FinishReason.EndOfGeneration;
                    string rest = stops.Push(decoder.Flush()).Text + stops.Flush();
                    _text.Append(rest);
                    if (rest.Length > 0)
                        yield return new TokenStep(token, rest, logprob, top);
                    yield break;
                }

                var match = stops.Push(decoder.Push(token));
                _text.Append(match.Text);
                yield return new TokenStep(token, match.Text, logprob, top);
                if (match.Stopped)
                {
                    _finish = FinishReason.StopString;
                    yield break;
                }
                if (session.Cache.Length >= session.ContextLength)
                {
                    _finish = FinishReason.ContextFull;
                    yield break;
                }
                if (produced + 1 < options.MaxTokens)
                {
                    _next[0] = token;
                    session.Evaluate(_next, ct);
                }
            }
            string tail = stops.Push(decoder.Flush()).Text + stops.Flush();
            _text.Append(tail);
            if (tail.Length > 0)
                yield return new TokenStep(-1, tail, 0, null);
        }

        private TokenLogprob[]? TopOf(ReadOnlySpan<float> logits)
        {
            if (options.TopLogprobs == 0)
                return null;
            var top = new TokenLogprob[options.TopLogprobs];
            Logprobs.TopK(logits, top);
            return top;
        }

        public GenerationResult Result(int[] promptTokens, List<TokenStep> steps) => new()
        {
            PromptTokens = promptTokens,
            Steps = steps.Where(s => s.Token >= 0).ToList(),
            Text = _text.ToString(),
            FinishReason = _finish,
            PromptTime = _promptTime,
            GenerationTime = _clock.Elapsed,
            Seed = _sampler.Seed,
        };
    }
}
