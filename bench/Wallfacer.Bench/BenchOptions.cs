using System.Globalization;

namespace Wallfacer.Bench;

/// <summary>
/// Options of the side-by-side run (and, with <c>--child</c>, of one measuring child process). A small
/// hand parser: the program has no dependencies beyond the engine and the llama.cpp harness.
/// </summary>
internal sealed record BenchOptions
{
    public string[] Presets { get; init; } = ["qwen2.5-0.5b", "llama-3.2-1b", "minicpm-2b"];
    public string[] Types { get; init; } = ["Q4_0", "Q8_0", "Q4_K_M"];
    public int[] Threads { get; init; } = [1, 2];
    public int Pairs { get; init; } = 5;
    public int[] PromptLengths { get; init; } = [128, 512];
    public int Generate { get; init; } = 64;
    /// <summary>Micro-batch for both engines; 0 keeps each engine's default (Wallfacer 64, llama.cpp 512).</summary>
    public int BatchSize { get; init; }
    public string? MarkdownPath { get; init; }
    /// <summary>Batched decode instead of the side-by-side table: sequences decoded together (e.g. 1,4).</summary>
    public int[]? Sequences { get; init; }
    public bool Help { get; init; }

    // Child mode only.
    public string? ChildEngine { get; init; }
    public string? ModelPath { get; init; }
    public int ContextLength { get; init; }

    public const string Usage = """
        Wallfacer vs llama.cpp, side by side (docs/benchmarks.md).
        usage: dotnet run -c Release --project bench/Wallfacer.Bench -- [options]
          --presets a,b     synthetic presets (default qwen2.5-0.5b,llama-3.2-1b,minicpm-2b)
          --types a,b       weight types (default Q4_0,Q8_0,Q4_K_M)
          --threads 1,2     thread counts (default 1,2)
          --pairs N         measured Wallfacer/llama.cpp pairs after one warm-up pair (default 5)
          --prompt 128,512  prompt lengths; generation follows the first (default 128,512)
          --gen N           generated tokens (default 64)
          --batch N         micro-batch for both engines (default: each engine's own)
          --quick           smoke run: preset tiny, Q4_0, 2 pairs (unless given)
          --markdown FILE   also write the report as markdown to FILE
          --sequences 1,4   instead: batched decode, N sequences one token each per forward pass
                            (continuous batching), aggregate tokens/s per engine and N ÷ first N
        """;

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        var given = new HashSet<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            given.Add(name);
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            options = name switch
            {
                "--presets" => options with { Presets = List(Value()) },
                "--types" => options with { Types = List(Value()) },
                "--threads" => options with { Threads = Integers(name, Value()) },
                "--pairs" => options with { Pairs = Integers(name, Value())[0] },
                "--prompt" => options with { PromptLengths = Integers(name, Value()) },
                "--gen" => options with { Generate = Integers(name, Value())[0] },
                "--batch" => options with { BatchSize = Integers(name, Value())[0] },
                "--markdown" => options with { MarkdownPath = Value() },
                "--sequences" => options with { Sequences = Integers(name, Value()) },
                "--quick" => options,
                "--help" or "-h" => options with { Help = true },
                "--child" => options with { ChildEngine = Value() },
                "--model" => options with { ModelPath = Value() },
                "--ctx" => options with { ContextLength = Integers(name, Value())[0] },
                _ => throw new ArgumentException($"Unknown option '{name}'.\n{Usage}"),
            };
        }
        if (given.Contains("--quick"))
        {
            options = options with
            {
                Presets = given.Contains("--presets") ? options.Presets : ["tiny"],
                Types = given.Contains("--types") ? options.Types : ["Q4_0"],
                Pairs = given.Contains("--pairs") ? options.Pairs : 2,
            };
        }
        return options.Validated();
    }

    /// <summary>
    /// Positions a child needs: the longest prompt, or the first prompt plus its generated tokens, plus one;
    /// rounded up to 256 as llama.cpp pads its context anyway. Both engines get the same length.
    /// </summary>
    public int ResolveContextLength() =>
        ContextLength > 0
            ? ContextLength
            : (Math.Max(PromptLengths.Max(), PromptLengths[0] + Generate) + 1 + 255) / 256 * 256;

    private BenchOptions Validated()
    {
        if (Sequences is { } sequences && sequences.Any(n => n < 1 || n > 64))
            throw new ArgumentException("--sequences takes counts from 1 to 64.");
        if (Pairs < 1 || Generate < 1 || PromptLengths.Any(p => p < 1) || Threads.Any(t => t < 1) || BatchSize < 0)
            throw new ArgumentException("--pairs, --gen, --prompt and --threads must be positive; --batch 0 or positive.");
        if (ChildEngine is not (null or "wallfacer" or "llama"))
            throw new ArgumentException($"--child must be 'wallfacer' or 'llama', not '{ChildEngine}'.");
        if (ChildEngine != null && ModelPath == null)
            throw new ArgumentException("--child needs --model.");
        return this;
    }

    private static string[] List(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int[] Integers(string name, string value)
    {
        string[] parts = List(value);
        var numbers = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out numbers[i]))
                throw new ArgumentException($"{name}: '{parts[i]}' is not an integer.");
        }
        return parts.Length > 0 ? numbers : throw new ArgumentException($"{name} needs at least one number.");
    }
}
