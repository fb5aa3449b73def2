using Wallfacer.Inference.Sampling;

namespace Wallfacer.Inference.Tests.Sampling;

public class SamplerOptionsTests
{
    [Fact]
    public void Defaults_are_llama_cpps()
    {
        var options = new SamplerOptions();
        Assert.Equal(0.8f, options.Temperature);
        Assert.Equal(40, options.TopK);
        Assert.Equal(0.95f, options.TopP);
        Assert.Equal(0.05f, options.MinP);
        Assert.Equal(1f, options.RepetitionPenalty);
        Assert.Equal(0f, options.FrequencyPenalty);
        Assert.Equal(0f, options.PresencePenalty);
        Assert.Equal(64, options.PenaltyLastN);
        Assert.Null(options.Seed);
        Assert.False(options.HasPenalties);
        options.Validate();
        Assert.True(SamplerOptions.Greedy.IsGreedy);
    }

    public static TheoryData<SamplerOptions, string> InvalidOptions => new()
    {
        { new SamplerOptions { Temperature = float.NaN }, nameof(SamplerOptions.Temperature) },
        { new SamplerOptions { Temperature = float.PositiveInfinity }, nameof(SamplerOptions.Temperature) },
        { new SamplerOptions { TopP = 0f }, nameof(SamplerOptions.TopP) },
        { new SamplerOptions { TopP = 1.01f }, nameof(SamplerOptions.TopP) },
        { new SamplerOptions { TopP = float.NaN }, nameof(SamplerOptions.TopP) },
        { new SamplerOptions { MinP = -0.1f }, nameof(SamplerOptions.MinP) },
        { new SamplerOptions { MinP = float.NaN }, nameof(SamplerOptions.MinP) },
        { new SamplerOptions { RepetitionPenalty = 0f }, nameof(SamplerOptions.RepetitionPenalty) },
        { new SamplerOptions { RepetitionPenalty = float.NaN }, nameof(SamplerOptions.RepetitionPenalty) },
        { new SamplerOptions { RepetitionPenalty = 1e-39f }, nameof(SamplerOptions.RepetitionPenalty) }, // 1/x overflows
        { new SamplerOptions { FrequencyPenalty = float.NaN }, nameof(SamplerOptions.FrequencyPenalty) },
        { new SamplerOptions { PresencePenalty = float.NegativeInfinity }, nameof(SamplerOptions.PresencePenalty) },
        { new SamplerOptions { PenaltyLastN = -1 }, nameof(SamplerOptions.PenaltyLastN) },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Validate_names_the_bad_field(SamplerOptions options, string field)
    {
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(field, error.ParamName);
        Assert.Contains(field, error.Message);
        Assert.Throws<ArgumentException>(() => new Sampler(options, 10));
    }

    [Fact]
    public void Edge_values_that_llama_cpp_accepts_are_valid()
    {
        new SamplerOptions { Temperature = -2f, TopK = -1, TopP = 1f, MinP = 0f, PenaltyLastN = 0 }.Validate();
        new SamplerOptions { MinP = 1f, TopP = 1e-6f, FrequencyPenalty = -1f }.Validate();
    }
}
