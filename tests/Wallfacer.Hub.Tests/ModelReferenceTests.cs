namespace Wallfacer.Hub.Tests;

public class ModelReferenceTests
{
    [Theory]
    [InlineData("bartowski/SmolLM2-135M-Instruct-GGUF", "bartowski", "SmolLM2-135M-Instruct-GGUF", null)]
    [InlineData("bartowski/SmolLM2-135M-Instruct-GGUF:Q4_K_M", "bartowski", "SmolLM2-135M-Instruct-GGUF", "Q4_K_M")]
    [InlineData("unsloth/Qwen3-0.6B-GGUF:Q4_K_M/Qwen3-0.6B-Q4_K_M.gguf", "unsloth", "Qwen3-0.6B-GGUF", "Q4_K_M/Qwen3-0.6B-Q4_K_M.gguf")]
    [InlineData("hf.co/ggml-org/gemma-3-1b-it-GGUF:Q4_K_M", "ggml-org", "gemma-3-1b-it-GGUF", "Q4_K_M")]
    public void Parses_owner_name_and_selector(string text, string owner, string name, string? selector)
    {
        var reference = ModelReference.Parse(text);

        Assert.Equal(owner, reference.Owner);
        Assert.Equal(name, reference.Name);
        Assert.Equal(selector, reference.FileOrQuant);
        Assert.Equal($"models--{owner}--{name}", reference.CacheFolderName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("just-a-name")]
    [InlineData("/abs/path.gguf")]
    [InlineData("a/b/c")]
    [InlineData("../x")]
    [InlineData("owner/na--me")]
    [InlineData("owner/name:")]
    [InlineData("model.gguf")]
    [InlineData("C:\\models\\x.gguf")]
    public void Rejects_what_is_not_a_repository_id(string text)
    {
        Assert.False(ModelReference.TryParse(text, out _));
        Assert.Equal(HubErrorKind.InvalidInput, Assert.Throws<HubException>(() => ModelReference.Parse(text)).Kind);
    }
}
