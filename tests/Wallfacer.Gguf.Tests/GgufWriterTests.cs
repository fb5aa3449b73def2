using Wallfacer.Numerics.Quants;

namespace Wallfacer.Gguf.Tests;

/// <summary>The writer refuses input that would make a file llama.cpp (or our reader) rejects.</summary>
public sealed class GgufWriterTests
{
    [Fact]
    public void DuplicateKey_Throws()
    {
        var writer = new GgufWriter();
        writer.Add("a.b", 1u);
        var e = Assert.Throws<ArgumentException>(() => writer.Add("a.b", "again"));
        Assert.Contains("'a.b'", e.Message);
    }

    [Fact]
    public void DuplicateTensor_Throws()
    {
        var writer = new GgufWriter();
        writer.AddTensor("t", GgmlType.F32, [2], new byte[8]);
        Assert.Throws<ArgumentException>(() => writer.AddTensor("t", GgmlType.F32, [2], new byte[8]));
    }

    [Theory]
    [InlineData(GgmlType.F32, new long[] { 3 }, 11)]
    [InlineData(GgmlType.Q8_0, new long[] { 32, 2 }, 34)]
    [InlineData(GgmlType.Q4_K, new long[] { 256 }, 145)]
    public void DataOfTheWrongSize_Throws(GgmlType type, long[] dims, int length)
    {
        var e = Assert.Throws<ArgumentException>(() => new GgufWriter().AddTensor("t", type, dims, new byte[length]));
        Assert.Contains("needs", e.Message);
    }

    [Theory]
    [InlineData(GgmlType.Q8_0, new long[] { 33 })]       // row not a multiple of the block size
    [InlineData(GgmlType.F32, new long[] { 0 })]          // empty dimension
    [InlineData(GgmlType.F32, new long[] { 2, -1 })]      // negative dimension
    [InlineData(GgmlType.F32, new long[] { 1, 1, 1, 1, 1 })] // too many dimensions
    [InlineData((GgmlType)4, new long[] { 32 })]          // retired type number
    public void ImpossibleShapes_Throw(GgmlType type, long[] dims)
    {
        Assert.Throws<ArgumentException>(() => new GgufWriter().AddTensor("t", type, dims, new byte[4]));
    }

    [Fact]
    public void OverlongTensorName_Throws()
    {
        Assert.Throws<ArgumentException>(() => new GgufWriter().AddTensor(new string('x', 64), GgmlType.F32, [1], new byte[4]));
        new GgufWriter().AddTensor(new string('x', 63), GgmlType.F32, [1], new byte[4]);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(3u)]
    [InlineData(48u)]
    public void AlignmentThatIsNotAPowerOfTwo_Throws(uint alignment)
    {
        Assert.Throws<ArgumentException>(() => new GgufWriter().Add(GgufKeys.GeneralAlignment, alignment));
    }

    [Fact]
    public void AlignmentOfTheWrongType_Throws()
    {
        Assert.Throws<ArgumentException>(() => new GgufWriter().Add(GgufKeys.GeneralAlignment, 32));
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(4u)]
    public void UnsupportedVersion_Throws(uint version)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GgufWriter(version));
    }

    [Fact]
    public void Padding_IsZeros()
    {
        var writer = new GgufWriter();
        writer.Add(GgufKeys.GeneralAlignment, 64u);
        writer.AddTensor("a", GgmlType.F32, [1], new byte[] { 1, 2, 3, 4 });
        writer.AddTensor("b", GgmlType.F32, [1], new byte[] { 5, 6, 7, 8 });
        byte[] bytes = writer.ToBytes();
        using var file = GgufFile.Parse(bytes);
        Assert.Equal(64ul, file.GetTensor("b").Offset);
        long a = file.DataOffset;
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, bytes[(int)a..(int)(a + 4)]);
        Assert.All(bytes[(int)(a + 4)..(int)(a + 64)], b => Assert.Equal(0, b));
        Assert.Equal(a + 128, bytes.Length);
    }

    [Fact]
    public void WriterKeepsReferencedData_AndDoesNotCopyDimensions()
    {
        long[] dims = [2];
        var writer = new GgufWriter();
        writer.AddTensor("t", GgmlType.F32, dims, new byte[8]);
        dims[0] = 1000; // must not change what was added
        using var file = GgufFile.Parse(writer.ToBytes());
        Assert.Equal([2L], file.GetTensor("t").Dimensions);
    }
}
