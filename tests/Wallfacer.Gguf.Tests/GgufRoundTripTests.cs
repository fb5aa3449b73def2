using Wallfacer.Numerics.Quants;

namespace Wallfacer.Gguf.Tests;

/// <summary>Parse(Write(x)) gives back x: metadata, tensor infos and tensor data.</summary>
public sealed class GgufRoundTripTests
{
    [Fact]
    public void EveryValueType_SurvivesARoundTrip()
    {
        using var file = GgufFile.Parse(GgufTestData.SampleBytes(), "sample.gguf");
        var expected = GgufTestData.EveryValueType().ToList();
        foreach (var (key, value) in expected)
        {
            Assert.True(file.Metadata.TryGetValue(key, out var actual), key);
            Assert.Equal(value.Type, actual.Type);
            Assert.Equal(value.ElementType, actual.ElementType);
            Assert.True(value.Equals(actual), $"{key}: wrote {value}, read {actual}");
        }
        // Metadata keeps insertion order: architecture, alignment, then the sample values.
        string[] keys = [GgufKeys.GeneralArchitecture, GgufKeys.GeneralAlignment, .. expected.Select(e => e.Key)];
        Assert.Equal(keys, file.Metadata.Keys);
    }

    [Fact]
    public void Scalars_ReadBackAsTheirRawDotNetTypes()
    {
        using var file = GgufFile.Parse(GgufTestData.SampleBytes());
        var m = file.Metadata;
        Assert.Equal((byte)250, m["test.u8"].Value);
        Assert.Equal((sbyte)-120, m["test.i8"].Value);
        Assert.Equal((ushort)65000, m["test.u16"].Value);
        Assert.Equal((short)-32000, m["test.i16"].Value);
        Assert.Equal(4_000_000_000u, m["test.u32"].Value);
        Assert.Equal(-2_000_000_000, m["test.i32"].Value);
        Assert.Equal(0x7FC0_1234u, BitConverter.SingleToUInt32Bits((float)m["test.f32.nan"].Value));
        Assert.Equal("héllo, 世界 🦙\n\0tail", m.GetString("test.string"));
        Assert.Equal(ulong.MaxValue - 3, m["test.u64"].Value);
        Assert.Equal(Math.PI, m["test.f64"].Value);
        Assert.IsType<float[]>(m["test.arr.f32"].Value);
        Assert.IsType<string[]>(m["test.arr.string"].Value);
        Assert.IsType<bool[]>(m["test.arr.bool"].Value);
        Assert.Equal(["a", "", "▁the", "<0x0A>", "é"], m.GetStringArrayOrNull("test.arr.string")!);
    }

    [Fact]
    public void NestedArrays_KeepTheirStructure()
    {
        using var file = GgufFile.Parse(GgufTestData.SampleBytes());
        var nested = file.Metadata["test.arr.nested"];
        Assert.Equal(GgufValueType.Array, nested.ElementType);
        var items = nested.AsArray();
        Assert.Equal(4, items.Count);
        Assert.Equal([1, 2, 3], items[0].AsInt32Array());
        Assert.Equal(["x", "y"], items[1].AsStringArray());
        Assert.Equal([1.5f], items[2].AsArray()[0].AsSingleArray());
        Assert.Equal(0, items[3].ArrayLength);
    }

    [Theory]
    [InlineData(2u, 32u)]
    [InlineData(3u, 32u)]
    [InlineData(3u, 1u)]
    [InlineData(3u, 64u)]
    [InlineData(3u, 4096u)]
    public void Tensors_SurviveARoundTrip_AtAnyAlignmentAndVersion(uint version, uint alignment)
    {
        var writer = GgufTestData.SampleWriter(seed: 7, alignment, version);
        byte[] bytes = writer.ToBytes();
        using var file = GgufFile.Parse(bytes);

        Assert.Equal(version, file.Version);
        Assert.Equal((int)alignment, file.Alignment);
        Assert.Equal(0, file.DataOffset % alignment);
        Assert.Equal(0, bytes.Length % alignment);
        var random = new Random(7);
        var specs = GgufTestData.SampleTensors();
        Assert.Equal(specs.Length, file.Tensors.Count);
        for (int i = 0; i < specs.Length; i++)
        {
            var tensor = file.Tensors[i];
            Assert.Equal(specs[i].Name, tensor.Name);
            Assert.Equal(specs[i].Type, tensor.Type);
            Assert.Equal(specs[i].Dims, tensor.Dimensions);
            Assert.Equal(specs[i].Dims.Aggregate(1L, (a, b) => a * b), tensor.ElementCount);
            Assert.Equal(0ul, tensor.Offset % alignment);
            var expected = new byte[tensor.ByteSize];
            random.NextBytes(expected);
            Assert.True(file.GetTensorBytes(tensor).SequenceEqual(expected), tensor.Name);
        }
    }

    [Fact]
    public void TensorByteSizes_FollowTheBlockGeometry()
    {
        using var file = GgufFile.Parse(GgufTestData.SampleBytes());
        Assert.Equal(8 * 3 * 4, file.GetTensor("token_embd.weight").ByteSize);
        Assert.Equal(2 * 2 * 34, file.GetTensor("blk.0.attn_q.weight").ByteSize);   // 2 rows of 2 Q8_0 blocks
        Assert.Equal(2 * 144, file.GetTensor("blk.0.ffn_up.weight").ByteSize);      // 2 rows of 1 Q4_K block
        Assert.Equal(7 * 2, file.GetTensor("output_norm.weight").ByteSize);
    }

    [Fact]
    public void FileWithoutTensors_EndsRightAfterTheMetadata()
    {
        var writer = new GgufWriter();
        writer.Add(GgufKeys.GeneralArchitecture, "x");
        byte[] bytes = writer.ToBytes();
        // 24-byte header + key (8 + 20) + type (4) + value (8 + 1)
        Assert.Equal(24 + 8 + 20 + 4 + 8 + 1, bytes.Length);
        using var file = GgufFile.Parse(bytes);
        Assert.Empty(file.Tensors);
        Assert.Equal("x", file.Architecture);
    }

    [Fact]
    public void WriteToPath_ThenOpen_MapsTheSameFile()
    {
        string dir = Wallfacer.TestSupport.TestPaths.NewTempDir();
        try
        {
            string path = Path.Combine(dir, "sample.gguf");
            GgufTestData.SampleWriter().Write(path);
            Assert.False(File.Exists(path + ".partial"));
            using var file = GgufFile.Open(path);
            Assert.Equal(path, file.FilePath);
            Assert.Equal(GgufTestData.SampleBytes(), File.ReadAllBytes(path));
            var tensor = file.GetTensor("blk.0.ffn_up.weight");
            unsafe
            {
                byte* p = file.GetTensorPointer(tensor);
                Assert.Equal(file.GetTensorBytes(tensor)[5], p[5]);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void DisposedFile_RefusesTensorAccess()
    {
        var file = GgufFile.Parse(GgufTestData.SampleBytes());
        var tensor = file.Tensors[0];
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => file.GetTensorBytes(tensor).Length);
    }

    [Fact]
    public void TensorInfoFromAnotherFile_IsRejected()
    {
        using var file = GgufFile.Parse(GgufTestData.SampleBytes());
        var forged = file.Tensors[0] with { Offset = 1 << 20 };
        Assert.Throws<ArgumentException>(() => file.GetTensorBytes(forged).Length);
    }

    [Fact]
    public void GetTensor_NamesAMissingTensor()
    {
        using var file = GgufFile.Parse(GgufTestData.SampleBytes(), "sample.gguf");
        Assert.Null(file.FindTensor("nope"));
        var e = Assert.Throws<KeyNotFoundException>(() => file.GetTensor("nope"));
        Assert.Contains("'nope'", e.Message);
        Assert.Contains("sample.gguf", e.Message);
        Assert.Equal(GgmlType.F16, file.GetTensor("output_norm.weight").Type);
    }
}
