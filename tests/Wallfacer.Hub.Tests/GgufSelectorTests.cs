namespace Wallfacer.Hub.Tests;

public class GgufSelectorTests
{
    private const string Repo = "acme/m-GGUF";

    private static readonly string[] Bartowski =
    [
        "README.md", "m-IQ4_XS.gguf", "m-Q4_K_S.gguf", "m-Q4_K_M.gguf", "m-Q4_0.gguf", "m-Q8_0.gguf", "m-f16.gguf", "mmproj-m-f16.gguf",
    ];

    private static IReadOnlyList<string> Select(string? selector, params string[] paths) => GgufSelector.Select(paths, selector, Repo);

    [Theory]
    [InlineData("Q4_K_M", "m-Q4_K_M.gguf")]
    [InlineData("q4_k_m", "m-Q4_K_M.gguf")] // case-insensitive, as llama.cpp and Ollama
    [InlineData("Q4_K_S", "m-Q4_K_S.gguf")]
    [InlineData("IQ4_XS", "m-IQ4_XS.gguf")]
    [InlineData("F16", "m-f16.gguf")] // and the projector is not a model
    [InlineData("m-Q8_0.gguf", "m-Q8_0.gguf")] // an exact file name
    public void A_quant_tag_or_file_name_picks_one_file(string selector, string expected) =>
        Assert.Equal([expected], Select(selector, Bartowski));

    [Fact]
    public void A_tag_matches_only_where_it_ends_so_Q4_K_does_not_pick_Q4_K_M()
    {
        Assert.False(GgufSelector.MatchesTag("m-Q4_K_M.gguf", "Q4_K"));
        Assert.False(GgufSelector.MatchesTag("m-IQ4_XS.gguf", "Q4_XS"));
        Assert.True(GgufSelector.MatchesTag("llama-2-7b.Q4_K_M.gguf", "Q4_K_M")); // TheBloke's dotted style
        Assert.True(GgufSelector.MatchesTag("m-UD-Q4_K_XL-00001-of-00002.gguf", "Q4_K_XL"));
    }

    [Fact]
    public void Without_a_selector_the_only_model_is_chosen_even_beside_a_projector() =>
        Assert.Equal(["m-BF16.gguf"], Select(null, "m-BF16.gguf", "mmproj-m-BF16.gguf", "config.json"));

    [Theory]
    [InlineData(new[] { "m-Q4_0.gguf", "m-Q4_K_M.gguf", "m-Q8_0.gguf" }, "m-Q4_K_M.gguf")]
    [InlineData(new[] { "m-Q4_0.gguf", "m-Q8_0.gguf", "m-Q6_K.gguf" }, "m-Q4_0.gguf")]
    [InlineData(new[] { "m-Q8_0.gguf", "m-Q6_K.gguf" }, "m-Q8_0.gguf")]
    public void Without_a_selector_Q4_K_M_then_Q4_0_then_Q8_0_is_preferred(string[] files, string expected) =>
        Assert.Equal([expected], Select(null, files));

    [Fact]
    public void Several_models_and_no_preferred_quant_is_an_error_that_lists_them()
    {
        var error = Assert.Throws<HubException>(() => Select(null, "m-Q5_K_M.gguf", "m-Q6_K.gguf"));

        Assert.Equal(HubErrorKind.AmbiguousFile, error.Kind);
        Assert.Contains("m-Q5_K_M.gguf, m-Q6_K.gguf", error.Message);
        Assert.Contains($"{Repo}:QUANT", error.Message);
    }

    [Fact]
    public void A_tag_that_matches_two_models_is_an_error_that_lists_both()
    {
        var error = Assert.Throws<HubException>(() => Select("Q4_K_M", "base-Q4_K_M.gguf", "instruct-Q4_K_M.gguf"));

        Assert.Equal(HubErrorKind.AmbiguousFile, error.Kind);
        Assert.Contains("base-Q4_K_M.gguf, instruct-Q4_K_M.gguf", error.Message);
    }

    [Fact]
    public void A_tag_that_matches_nothing_lists_the_choices()
    {
        var error = Assert.Throws<HubException>(() => Select("Q2_K", Bartowski));

        Assert.Equal(HubErrorKind.NoMatchingFile, error.Kind);
        Assert.Contains("m-Q4_K_M.gguf", error.Message);
        Assert.DoesNotContain("mmproj", error.Message);
    }

    [Fact]
    public void A_split_model_is_one_choice_returned_as_all_its_parts_in_order()
    {
        string[] files = ["Q8_0/m-Q8_0-00002-of-00002.gguf", "Q8_0/m-Q8_0-00001-of-00002.gguf", "m-Q4_K_M.gguf"];

        Assert.Equal(["Q8_0/m-Q8_0-00001-of-00002.gguf", "Q8_0/m-Q8_0-00002-of-00002.gguf"], Select("Q8_0", files));
        Assert.Equal(["Q8_0/m-Q8_0-00001-of-00002.gguf", "Q8_0/m-Q8_0-00002-of-00002.gguf"], Select("Q8_0/m-Q8_0-00002-of-00002.gguf", files));
        var error = Assert.Throws<HubException>(() => Select("nothing", files));
        Assert.Contains("Q8_0/m-Q8_0-00001-of-00002.gguf (2 parts)", error.Message);
    }

    [Fact]
    public void A_named_file_that_is_not_gguf_is_refused() =>
        Assert.Equal(HubErrorKind.NoMatchingFile, Assert.Throws<HubException>(() => Select("sub/config.json", "sub/config.json", "m.gguf")).Kind);

    [Fact]
    public void A_repository_without_models_says_so() =>
        Assert.Contains("has no GGUF model files", Assert.Throws<HubException>(() => Select(null, "README.md", "mmproj-x.gguf")).Message);
}
