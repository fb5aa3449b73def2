using System.Reflection;
using Wallfacer.TestSupport;

namespace Wallfacer.Gguf.Tests;

/// <summary>GgufKeys covers the keys real files use, with llama.cpp's spellings.</summary>
public sealed class GgufKeysTests
{
    private static HashSet<string> KnownKeys(string? arch)
    {
        var keys = typeof(GgufKeys).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet(StringComparer.Ordinal);
        if (arch != null)
        {
            foreach (var method in typeof(GgufKeys).GetMethods(BindingFlags.Public | BindingFlags.Static))
            {
                var parameters = method.GetParameters();
                if (method.ReturnType == typeof(string) && parameters.Length == 1 && parameters[0].Name == "arch")
                    keys.Add((string)method.Invoke(null, [arch])!);
            }
        }
        return keys;
    }

    [SharedTheory]
    [MemberData(nameof(GgufRealFileTests.RealFiles), MemberType = typeof(GgufRealFileTests))]
    public void EveryKeyInARealFile_IsAGgufKeysConstant(string path)
    {
        using var file = GgufFile.Open(path);
        var known = KnownKeys(file.Metadata.GetStringOrNull(GgufKeys.GeneralArchitecture));
        // Named chat templates (tokenizer.chat_template.<name>) are an open family built by TokenizerChatTemplateNamed.
        var unknown = file.Metadata.Keys
            .Where(k => !known.Contains(k) && !k.StartsWith(GgufKeys.TokenizerChatTemplatePrefix, StringComparison.Ordinal))
            .ToList();
        Assert.True(unknown.Count == 0, $"{Path.GetFileName(path)} uses keys GgufKeys lacks: {string.Join(", ", unknown)}");
    }

    [Fact]
    public void ArchitectureKeys_AreBuiltFromTheArchitectureName()
    {
        // Spellings from llama.cpp src/llama-arch.cpp (LLM_KV_NAMES).
        Assert.Equal("qwen2.attention.layer_norm_rms_epsilon", GgufKeys.LayerNormRmsEpsilon("qwen2"));
        Assert.Equal("llama.rope.scaling.original_context_length", GgufKeys.RopeScalingOriginalContextLength("llama"));
        Assert.Equal("minicpm.embedding_scale", GgufKeys.EmbeddingScale("minicpm"));
        Assert.Equal("tokenizer.ggml.seperator_token_id", GgufKeys.TokenizerSeparatorId);
    }
}
