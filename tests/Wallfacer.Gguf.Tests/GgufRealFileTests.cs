using Wallfacer.Numerics.Quants;
using Wallfacer.TestSupport;
using Xunit.Abstractions;

namespace Wallfacer.Gguf.Tests;

/// <summary>Reading and re-writing the real files in ../shared/models.</summary>
public sealed class GgufRealFileTests(ITestOutputHelper output)
{
    public static TheoryData<string> RealFiles()
    {
        var data = new TheoryData<string>();
        if (!TestPaths.SharedExists)
        {
            data.Add("(absent)");
            return data;
        }
        data.Add(TestPaths.SharedModel("stories260K.gguf"));
        foreach (var path in Directory.GetFiles(Path.Combine(TestPaths.SharedDir, "models", "vocab"), "*.gguf").Order())
            data.Add(path);
        return data;
    }

    [SharedFact]
    public void Stories260K_HasLlamaArchitectureAndExpectedShape()
    {
        using var file = GgufFile.Open(TestPaths.SharedModel("stories260K.gguf"));
        foreach (var (key, value) in file.Metadata)
            output.WriteLine($"{key} = {value}");
        foreach (var t in file.Tensors)
            output.WriteLine(t.ToString());

        Assert.Equal("llama", file.Architecture);
        Assert.Equal(5u, file.Metadata.GetUInt32(GgufKeys.BlockCount("llama")));
        Assert.Equal(64u, file.Metadata.GetUInt32(GgufKeys.EmbeddingLength("llama")));
        Assert.Equal("llama", file.Metadata.GetString(GgufKeys.TokenizerModel));
        Assert.Equal(512, file.Metadata.GetStringArrayOrNull(GgufKeys.TokenizerTokens)!.Length);
        Assert.Equal(512, file.Metadata.GetSingleArrayOrNull(GgufKeys.TokenizerScores)!.Length);
        // 5 layers x 9 tensors + token_embd, output_norm, output (SOURCES.md: F32, 5 layers, dim 64).
        Assert.Equal(5 * 9 + 3, file.Tensors.Count);
        Assert.All(file.Tensors, t => Assert.Equal(GgmlType.F32, t.Type));
        var embedding = file.GetTensor("token_embd.weight");
        Assert.Equal([64L, 512L], embedding.Dimensions);
        Assert.Equal(64 * 512 * 4, embedding.ByteSize);
        Assert.Equal(file.FileLength, new FileInfo(file.FilePath!).Length);
    }

    [SharedFact]
    public void Stories260K_TensorBytesAreTheFileBytesAtTheDataOffset()
    {
        string path = TestPaths.SharedModel("stories260K.gguf");
        byte[] raw = File.ReadAllBytes(path);
        using var file = GgufFile.Open(path);
        var norm = file.GetTensor("output_norm.weight");
        long start = file.DataOffset + (long)norm.Offset;
        Assert.True(file.GetTensorBytes(norm).SequenceEqual(raw.AsSpan((int)start, (int)norm.ByteSize)));
        Assert.Equal(0, file.DataOffset % file.Alignment);
        // An RMS-norm weight of a trained model is finite and not all zero.
        var weights = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(file.GetTensorBytes(norm));
        Assert.All(weights.ToArray(), w => Assert.True(float.IsFinite(w)));
        Assert.Contains(weights.ToArray(), w => w != 0);
    }

    [SharedTheory]
    [MemberData(nameof(RealFiles))]
    public void RealFile_RewritesByteIdentical(string path)
    {
        byte[] original = File.ReadAllBytes(path);
        using var file = GgufFile.Open(path);
        var writer = new GgufWriter(file.Version);
        writer.AddAll(file.Metadata);
        foreach (var tensor in file.Tensors)
            writer.AddTensor(tensor.Name, tensor.Type, tensor.Dimensions, file.GetTensorMemory(tensor));
        byte[] rewritten = writer.ToBytes();

        int firstDifference = original.AsSpan().CommonPrefixLength(rewritten);
        Assert.True(firstDifference == original.Length && rewritten.Length == original.Length,
            $"{Path.GetFileName(path)}: first difference at byte {firstDifference} (lengths {original.Length} vs {rewritten.Length})");
    }

    [SharedTheory]
    [MemberData(nameof(RealFiles))]
    public void RealFile_ParsesTheSameFromMemoryAsFromTheMapping(string path)
    {
        using var mapped = GgufFile.Open(path);
        using var parsed = GgufFile.Parse(File.ReadAllBytes(path), path);
        Assert.Equal(mapped.Metadata.Count, parsed.Metadata.Count);
        foreach (var (key, value) in mapped.Metadata)
            Assert.Equal(value, parsed.Metadata[key]);
        Assert.Equal(mapped.DataOffset, parsed.DataOffset);
        Assert.Equal(mapped.Tensors.Count, parsed.Tensors.Count);
    }

    [SharedFact]
    public void VocabFiles_HaveTokenizerMetadata()
    {
        using var file = GgufFile.Open(TestPaths.SharedVocab("ggml-vocab-qwen2.gguf"));
        Assert.Empty(file.Tensors);
        Assert.Equal("gpt2", file.Metadata.GetString(GgufKeys.TokenizerModel));
        Assert.Equal("qwen2", file.Metadata.GetString(GgufKeys.TokenizerPre));
        string[] tokens = file.Metadata.GetStringArrayOrNull(GgufKeys.TokenizerTokens)!;
        Assert.Equal(151_936, tokens.Length);
        Assert.Equal(tokens.Length, file.Metadata.GetInt32ArrayOrNull(GgufKeys.TokenizerTokenType)!.Length);
        Assert.NotEmpty(file.Metadata.GetStringArrayOrNull(GgufKeys.TokenizerMerges)!);
    }
}
