using System.Text.Json.Nodes;
using Wallfacer.Inference.Templates;

namespace Wallfacer.Inference.Tests.Templates;

/// <summary>Each fallback format renders a system + two-turn conversation exactly as its family documents.</summary>
public class BuiltInChatTemplatesTests
{
    private static JsonObject Conversation(bool addGenerationPrompt = true) => new()
    {
        ["messages"] = new JsonArray(
            new JsonObject { ["role"] = "system", ["content"] = "Be brief." },
            new JsonObject { ["role"] = "user", ["content"] = "Hi" },
            new JsonObject { ["role"] = "assistant", ["content"] = "Hello!" },
            new JsonObject { ["role"] = "user", ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "Bye" }) }),
        ["add_generation_prompt"] = addGenerationPrompt,
        ["bos_token"] = "<s>",
        ["eos_token"] = "</s>",
    };

    public static TheoryData<string, string> Expected => new()
    {
        { "chatml", "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n" },
        { "llama3", "<s><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nBye<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n" },
        { "llama2", "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello! </s><s>[INST] Bye [/INST]" },
        { "mistral", "<s>[INST] Be brief.\n\nHi [/INST] Hello!</s>[INST] Bye [/INST]" },
        { "gemma", "<s><start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n<start_of_turn>user\nBye<end_of_turn>\n<start_of_turn>model\n" },
        { "phi3", "<|system|>\nBe brief.<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\nHello!<|end|>\n<|user|>\nBye<|end|>\n<|assistant|>\n" },
        { "minicpm", "Be brief.<用户>Hi<AI>Hello!<用户>Bye<AI>" },
        { "zephyr", "<|system|>\nBe brief.</s>\n<|user|>\nHi</s>\n<|assistant|>\nHello!</s>\n<|user|>\nBye</s>\n<|assistant|>\n" },
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public void Renders_the_documented_format(string name, string expected)
    {
        Assert.Equal(expected, JinjaTemplate.Parse(BuiltInChatTemplates.All[name]).Render(Conversation()));
    }

    [Fact]
    public void Every_built_in_has_an_expectation()
    {
        Assert.Equal(BuiltInChatTemplates.All.Keys.Order(), Expected.Select(row => (string)row[0]).Order());
    }

    [Theory]
    [InlineData("llama", new[] { "<|im_start|>", "<|im_end|>" }, "chatml")]
    [InlineData("llama", new[] { "<|start_header_id|>", "<|eot_id|>" }, "llama3")]
    [InlineData("gemma2", new[] { "<start_of_turn>" }, "gemma")]
    [InlineData("llama", new[] { "<|user|>", "<|end|>", "<|assistant|>" }, "phi3")]
    [InlineData("minicpm", new[] { "<用户>", "<AI>" }, "minicpm")]
    [InlineData("minicpm", new[] { "<用户>", "<|im_start|>" }, "chatml")]
    [InlineData("llama", new[] { "[INST]", "[/INST]" }, "mistral")]
    [InlineData("stablelm", new[] { "<|user|>" }, "zephyr")]
    [InlineData("gemma", new string[0], "gemma")]
    [InlineData("llama", new string[0], "chatml")]
    public void Chooses_by_the_special_tokens_present(string architecture, string[] tokens, string expected)
    {
        var (name, source) = BuiltInChatTemplates.Choose(architecture, tokens.Contains);
        Assert.Equal(expected, name);
        Assert.Equal(BuiltInChatTemplates.All[expected], source);
    }
}
