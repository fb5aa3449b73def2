using System.Diagnostics;

namespace Wallfacer.Bench;

/// <summary>
/// The measurement one child process makes, identical for both engines (docs/benchmarks.md, "Protocol"):
/// <list type="number">
/// <item>Load, evaluate the first prompt, take its greedy token: "load to first token" (cold: includes JIT,
/// page faults, llama.cpp's weight repacking). Then one generated token, as warm-up.</item>
/// <item>For each prompt length: a fresh sequence, the prompt as one batch (timed). After the first prompt,
/// <c>generate</c> greedy tokens one at a time (timed), with the GC's allocation counters read around that loop.</item>
/// <item>Peak RSS at the end.</item>
/// </list>
/// The prompt is a fixed list of random token ids (seeded), the same for both engines.
/// </summary>
internal static class ChildMeasurement
{
    public const int PromptSeed = 20250101;

    public static ChildResult Run(string engineName, int threads, Func<IBenchEngine> load, int[] promptLengths, int generate)
    {
        var clock = Stopwatch.StartNew();
        using IBenchEngine engine = load();
        int[] prompt = RandomPrompt(promptLengths.Max(), engine.VocabSize);
        int first = engine.EvaluateGreedy(prompt.AsSpan(0, promptLengths[0]));
        double loadToFirst = clock.Elapsed.TotalMilliseconds;
        engine.EvaluateGreedy([first]);

        var prompts = new PhaseTiming[promptLengths.Length];
        PhaseTiming? generation = null;
        double allocated = 0, allocatedThisThread = 0;
        for (int i = 0; i < promptLengths.Length; i++)
        {
            engine.Reset();
            engine.ResetInternalTimer();
            long start = Stopwatch.GetTimestamp();
            first = engine.EvaluateGreedy(prompt.AsSpan(0, promptLengths[i]));
            prompts[i] = Finish(engine, start, promptLengths[i]);
            if (i != 0)
                continue;

            // No allocation of ours inside this window: the counters see only what the engine allocates.
            engine.ResetInternalTimer();
            long total0 = GC.GetTotalAllocatedBytes(precise: true);
            long thread0 = GC.GetAllocatedBytesForCurrentThread();
            start = Stopwatch.GetTimestamp();
            Generate(engine, first, generate);
            long end = Stopwatch.GetTimestamp();
            allocatedThisThread = (double)(GC.GetAllocatedBytesForCurrentThread() - thread0) / generate;
            allocated = (double)(GC.GetTotalAllocatedBytes(precise: true) - total0) / generate;
            generation = new PhaseTiming(generate, Stopwatch.GetElapsedTime(start, end).TotalMilliseconds, engine.InternalMilliseconds);
        }
        return new ChildResult
        {
            Engine = engineName,
            Threads = threads,
            LoadToFirstTokenMilliseconds = loadToFirst,
            Prompts = prompts,
            Generation = generation!,
            PeakResidentBytes = ProcessMemory.PeakResidentBytes(),
            AllocatedBytesPerToken = allocated,
            AllocatedBytesPerTokenThisThread = allocatedThisThread,
        };
    }

    /// <summary>Token ids drawn uniformly below <paramref name="vocabSize"/> from a fixed seed.</summary>
    public static int[] RandomPrompt(int length, int vocabSize)
    {
        var random = new Random(PromptSeed);
        var tokens = new int[length];
        for (int i = 0; i < length; i++)
            tokens[i] = random.Next(vocabSize);
        return tokens;
    }

    private static void Generate(IBenchEngine engine, int token, int count)
    {
        Span<int> one = stackalloc int[1];
        for (int i = 0; i < count; i++)
        {
            one[0] = token;
            token = engine.EvaluateGreedy(one);
        }
    }

    private static PhaseTiming Finish(IBenchEngine engine, long start, int tokens)
    {
        double wall = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        return new PhaseTiming(tokens, wall, engine.InternalMilliseconds);
    }
}
