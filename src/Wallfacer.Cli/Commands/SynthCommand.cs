using System.CommandLine;
using Spectre.Console;
using Wallfacer.Models.Synthetic;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Cli.Commands;

/// <summary><c>wallfacer synth PRESET -o FILE [--type Q4_0]</c>: write a model with random weights (for tests and benchmarks).</summary>
internal static class SynthCommand
{
    public static Command Create()
    {
        var preset = new Argument<string>("preset") { Description = "Shape preset: " + string.Join(", ", SyntheticPresets.Names) + "." };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the GGUF file.", Required = true };
        var type = new Option<string>("--type") { Description = "Weight type (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K … Q6_K, or Q4_K_M).", DefaultValueFactory = _ => "Q4_0" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the random weights.", DefaultValueFactory = _ => 1 };
        var chat = new Option<bool>("--chat") { Description = "Add ChatML special tokens and chat template, so `chat` and the chat client can run it." };
        var command = new Command("synth", "Write a GGUF model with random weights in a real model's shape. Its text is noise; use it to test and measure.")
        {
            preset, output, type, seed, chat,
        };
        CommandRunner.SetAction(command, (parse, ct) =>
        {
            var spec = Resolve(parse.GetValue(preset)!, parse.GetValue(type)!) with { Seed = parse.GetValue(seed), WithChatTemplate = parse.GetValue(chat) };
            string path = parse.GetValue(output)!;
            AnsiConsole.Progress().AutoClear(true).Start(p =>
            {
                var task = p.AddTask($"writing {Path.GetFileName(path)}", maxValue: 1.0);
                SyntheticModelWriter.Write(spec, path, new Progress<double>(f => task.Value = f), ct);
            });
            Console.Error.WriteLine($"wrote {path}: {spec.Architecture}, {spec.ParameterCount / 1e6:F1} M parameters, {new FileInfo(path).Length / 1e6:F1} MB");
            return 0;
        });
        return command;
    }

    /// <summary>The preset with the weight type applied; "Q4_K_M" selects the Q4_K/Q6_K mix.</summary>
    internal static SyntheticModelSpec Resolve(string preset, string type)
    {
        if (type.Equals("Q4_K_M", StringComparison.OrdinalIgnoreCase))
            return SyntheticPresets.Q4KM(SyntheticPresets.Get(preset));
        if (!Enum.TryParse<GgmlType>(type, ignoreCase: true, out var t) || !GgmlTypeInfo.IsKnown(t))
            throw new ArgumentException($"Unknown weight type '{type}'.");
        return SyntheticPresets.Get(preset, t);
    }
}
