using System.CommandLine;
using Wallfacer.Inference.Sampling;

namespace Wallfacer.Cli.Commands;

/// <summary>The sampler's command-line options (llama.cpp's names and defaults), shared by <c>run</c> and <c>chat</c>.</summary>
internal sealed class SamplingOptions
{
    private readonly Option<float> _temperature = new("--temperature", "--temp") { Description = "Sampling temperature; 0 picks the most likely token (greedy).", DefaultValueFactory = _ => 0.8f };
    private readonly Option<int> _topK = new("--top-k") { Description = "Keep the K most likely tokens (0 = off).", DefaultValueFactory = _ => 40 };
    private readonly Option<float> _topP = new("--top-p") { Description = "Keep the smallest set whose probability reaches P (1 = off).", DefaultValueFactory = _ => 0.95f };
    private readonly Option<float> _minP = new("--min-p") { Description = "Drop tokens less likely than P × the best one (0 = off).", DefaultValueFactory = _ => 0.05f };
    private readonly Option<float> _repeat = new("--repeat-penalty") { Description = "Penalty for tokens seen in the last 64 (1 = off).", DefaultValueFactory = _ => 1.0f };
    private readonly Option<float> _frequency = new("--frequency-penalty") { Description = "Subtract this × count of each seen token." };
    private readonly Option<float> _presence = new("--presence-penalty") { Description = "Subtract this from each seen token." };
    private readonly Option<ulong?> _seed = new("--seed", "-s") { Description = "Random seed; the same seed and input give the same tokens." };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _temperature, _topK, _topP, _minP, _repeat, _frequency, _presence, _seed })
            command.Options.Add(option);
    }

    public SamplerOptions Read(ParseResult parse) => new()
    {
        Temperature = parse.GetValue(_temperature), TopK = parse.GetValue(_topK), TopP = parse.GetValue(_topP),
        MinP = parse.GetValue(_minP), RepetitionPenalty = parse.GetValue(_repeat),
        FrequencyPenalty = parse.GetValue(_frequency), PresencePenalty = parse.GetValue(_presence), Seed = parse.GetValue(_seed),
    };
}
