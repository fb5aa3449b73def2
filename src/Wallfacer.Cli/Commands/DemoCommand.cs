using System.CommandLine;
using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Sampling;
using Wallfacer.Models.Synthetic;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Cli.Commands;

/// <summary>
/// <c>wallfacer demo</c>: the README's first command. Writes a small synthetic model (random weights), runs it
/// end to end, and says plainly that the text is noise — then how to run a real GGUF file.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var command = new Command("demo", "Create a small synthetic model and generate from it, to check the engine works on this machine.");
        CommandRunner.SetAction(command, (parse, ct) =>
        {
            string path = Path.Combine(Path.GetTempPath(), "wallfacer-demo-smollm2-shape-q8_0.gguf");
            var spec = SyntheticPresets.Get("smollm2-135m", GgmlType.Q8_0) with { VocabSize = 4096, BlockCount = 6 };
            Console.WriteLine($"Writing a synthetic {spec.Architecture} model ({spec.ParameterCount / 1e6:F0} M parameters, random weights, Q8_0) to {path} …");
            SyntheticModelWriter.Write(spec, path, cancellationToken: ct);
            using var lm = LanguageModel.Load(path);
            using var session = lm.CreateSession(new SessionOptions { ContextLength = 512 });
            var options = new GenerationOptions { MaxTokens = 48, Sampling = new SamplerOptions { Seed = 42 } };
            var result = TextGenerator.Complete(session, "Once upon a time", options, ct);
            Console.WriteLine();
            Console.WriteLine("Generated (NOISE — the weights are random, this only shows the engine runs):");
            Console.WriteLine("  " + result.Text.Replace("\n", " "));
            Console.WriteLine();
            Console.WriteLine($"prompt {result.PromptTokens.Count} tokens at {result.PromptTokensPerSecond:F0} tok/s; " +
                              $"{result.Steps.Count} tokens generated at {result.GenerationTokensPerSecond:F1} tok/s on {session.ThreadCount} threads.");
            Console.WriteLine();
            Console.WriteLine("To run a real model:  dotnet run --project src/Wallfacer.Cli -- run -m path/to/model.gguf -p \"Once upon a time\"");
            File.Delete(path);
            return 0;
        });
        return command;
    }
}
