using System.Buffers.Binary;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Gguf.Tests;

/// <summary>Hand-built malformed files: each must fail with a GgufFormatException naming the problem and its offset.</summary>
public sealed class GgufMalformedFileTests
{
    private const int HeaderBytes = 24;

    private static GgufFormatException Rejects(byte[] bytes, string expectedReason)
    {
        var e = Assert.Throws<GgufFormatException>(() => GgufFile.Parse(bytes, "bad.gguf").Dispose());
        Assert.Contains(expectedReason, e.Message);
        Assert.StartsWith("bad.gguf: ", e.Message);
        Assert.Equal("bad.gguf", e.FilePath);
        return e;
    }

    [Fact]
    public void WrongMagic()
    {
        var bytes = RawGguf.Header(0, 0).ToArray();
        bytes[0] = (byte)'X';
        Assert.Equal(0, Rejects(bytes, "not a GGUF file").Offset);
    }

    [Fact]
    public void EmptyFile() => Assert.Equal(0, Rejects([], "unexpected end of file").Offset);

    [Theory]
    [InlineData(0u)]
    [InlineData(1u)]
    [InlineData(4u)]
    public void UnsupportedVersion(uint version) =>
        Assert.Equal(4, Rejects(RawGguf.Header(0, 0, version).ToArray(), $"unsupported GGUF version {version}").Offset);

    [Fact]
    public void BigEndianFile()
    {
        var bytes = RawGguf.Header(0, 0).ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), 3);
        Rejects(bytes, "big-endian");
    }

    [Fact]
    public void MinimalValidFile_Parses()
    {
        using var file = GgufFile.Parse(RawGguf.Header(0, 0).ToArray());
        Assert.Empty(file.Metadata);
        Assert.Equal(3u, file.Version);
    }

    [Theory]
    [InlineData(1ul << 60, 0ul)]
    [InlineData(0ul, 1ul << 60)]
    [InlineData(ulong.MaxValue, ulong.MaxValue)]
    [InlineData(41ul, 0ul)] // 41 x 25 bytes (the smallest tensor info) > 1000
    public void HugeCounts_FailBeforeAllocating(ulong tensors, ulong keyValues)
    {
        var bytes = RawGguf.Header(tensors, keyValues).Zeros(1000).ToArray();
        Rejects(bytes, "cannot fit");
    }

    [Fact]
    public void HugeArray_FailsFast()
    {
        var bytes = RawGguf.Header(0, 1).Str("big").U32((uint)GgufValueType.Array).U32((uint)GgufValueType.Float32)
            .U64(1ul << 60).Zeros(1000).ToArray();
        var e = Rejects(bytes, "claims 1152921504606846976 Float32 elements");
        Assert.Equal(HeaderBytes + 8 + 3 + 4 + 4, e.Offset);
    }

    [Fact]
    public void HugeStringArray_FailsFast() =>
        Rejects(RawGguf.Header(0, 1).Str("s").U32(9).U32(8).U64(200).Zeros(1000).ToArray(), "claims 200 String elements");

    [Fact]
    public void HugeStringLength_FailsFast()
    {
        var bytes = RawGguf.Header(0, 1).Str("k").U32((uint)GgufValueType.String).U64(ulong.MaxValue - 1).Zeros(100).ToArray();
        Assert.Equal(HeaderBytes + 8 + 1 + 4, Rejects(bytes, "claims 18446744073709551614 bytes").Offset);
    }

    [Fact]
    public void HugeKeyLength_FailsFast() =>
        Assert.Equal(HeaderBytes, Rejects(RawGguf.Header(0, 1).U64(1ul << 40).Zeros(100).ToArray(), "claims 1099511627776 bytes").Offset);

    [Fact]
    public void UnknownValueType()
    {
        var e = Rejects(RawGguf.Header(0, 1).Str("k").U32(13).U32(0).ToArray(), "13, which is not a GGUF value type");
        Assert.Equal(HeaderBytes + 8 + 1, e.Offset);
    }

    [Fact]
    public void UnknownArrayElementType() =>
        Rejects(RawGguf.Header(0, 1).Str("k").U32(9).U32(77).U64(0).ToArray(), "77, which is not a GGUF value type");

    [Fact]
    public void DuplicateKey()
    {
        var e = Rejects(RawGguf.Header(0, 2).KvU32("a.b", 1).KvU32("a.b", 2).ToArray(), "'a.b' appears twice");
        Assert.Equal(HeaderBytes + 8 + 3 + 4 + 4, e.Offset);
    }

    [Fact]
    public void EmptyKey() => Rejects(RawGguf.Header(0, 1).KvU32("", 1).ToArray(), "empty name");

    [Fact]
    public void InvalidUtf8_InAKey_NamesTheByte()
    {
        var bytes = RawGguf.Header(0, 1).U64(3).Bytes((byte)'a', 0xC3, (byte)'b').U32(4).U32(1).ToArray();
        var e = Rejects(bytes, "not valid UTF-8 (bad byte 0xC3)");
        Assert.Equal(HeaderBytes + 8 + 1, e.Offset);
    }

    [Fact]
    public void InvalidUtf8_InAStringArray() =>
        Rejects(RawGguf.Header(0, 1).Str("k").U32(9).U32(8).U64(1).U64(1).Bytes(0xFF).ToArray(), "element 0 of array 'k' is not valid UTF-8");

    [Fact]
    public void BoolOtherThanZeroOrOne() =>
        Rejects(RawGguf.Header(0, 1).Str("k").U32((uint)GgufValueType.Bool).U8(2).ToArray(), "must be 0 or 1");

    [Fact]
    public void NestingDeeperThanTheLimit()
    {
        var raw = RawGguf.Header(0, 1).Str("deep").U32(9);
        for (int level = 0; level < GgufLimits.MaxArrayNesting + 1; level++)
            raw.U32(9).U64(1);
        raw.U32(4).U64(0).Zeros(100);
        Rejects(raw.ToArray(), "nests arrays more than 8 levels");
    }

    [Fact]
    public void NestingAtTheLimit_Parses()
    {
        var raw = RawGguf.Header(0, 1).Str("deep").U32(9);
        for (int level = 0; level < GgufLimits.MaxArrayNesting - 1; level++)
            raw.U32(9).U64(1);
        raw.U32(4).U64(1).U32(42);
        using var file = GgufFile.Parse(raw.ToArray());
        var value = file.Metadata["deep"];
        for (int level = 0; level < GgufLimits.MaxArrayNesting - 1; level++)
            value = value.AsArray()[0];
        Assert.Equal(42u, value.AsArray()[0].AsUInt32());
    }

    [Theory]
    [InlineData(GgufValueType.Int32, 32u, "must be UInt32")]
    [InlineData(GgufValueType.UInt32, 0u, "must be a power of two")]
    [InlineData(GgufValueType.UInt32, 24u, "must be a power of two")]
    public void BadAlignment(GgufValueType type, uint value, string reason) =>
        Rejects(RawGguf.Header(0, 1).Str(GgufKeys.GeneralAlignment).U32((uint)type).U32(value).ToArray(), reason);

    [Fact]
    public void TooManyDimensions() =>
        Rejects(WithTensor(r => r.Tensor("t", GgmlType.F32, 0, 1, 1, 1, 1, 1)), "5 dimensions");

    [Theory]
    [InlineData(0L)]
    [InlineData(-3L)]
    public void NonPositiveDimension(long dimension) =>
        Rejects(WithTensor(r => r.Tensor("t", GgmlType.F32, 0, 4, dimension)), $"dimension 1 is {dimension}");

    [Fact]
    public void ElementCountOverflow() =>
        Rejects(WithTensor(r => r.Tensor("t", GgmlType.F32, 0, 1L << 32, 1L << 32)), "overflows");

    [Fact]
    public void ByteSizeOverflow() =>
        Rejects(WithTensor(r => r.Tensor("t", GgmlType.F64, 0, 1L << 62)), "overflows");

    [Theory]
    [InlineData(4u)]
    [InlineData(31u)]
    [InlineData(12345u)]
    public void UnknownTensorType(uint type) =>
        Rejects(WithTensor(r => r.Tensor("t", (GgmlType)type, 0, 32)), $"unknown tensor type {type}");

    [Fact]
    public void RowNotAMultipleOfTheBlockSize() =>
        Rejects(WithTensor(r => r.Tensor("t", GgmlType.Q4_0, 0, 48)), "not a multiple of the Q4_0 block size 32");

    [Fact]
    public void MisalignedTensorData() =>
        Rejects(WithTensor(r => r.Tensor("t", GgmlType.F32, 8, 2), dataBytes: 64), "not a multiple of the alignment 32");

    [Fact]
    public void TensorDataPastTheEnd()
    {
        var e = Rejects(WithTensor(r => r.Tensor("t", GgmlType.F32, 0, 16), dataBytes: 32), "past the end of the file");
        Assert.Equal(HeaderBytes, e.Offset);
    }

    [Fact]
    public void TensorOffsetFarPastTheEnd() =>
        Rejects(WithTensor(r => r.Tensor("t", GgmlType.F32, ulong.MaxValue - 31, 1), dataBytes: 32), "past the end of the file");

    [Fact]
    public void OverlappingTensors()
    {
        var bytes = RawGguf.Header(2, 0).Tensor("a", GgmlType.F32, 0, 16).Tensor("b", GgmlType.F32, 32, 8).PadTo(32).Zeros(96).ToArray();
        Rejects(bytes, "tensor 'b' data overlaps tensor 'a'");
    }

    [Fact]
    public void DuplicateTensorName() =>
        Rejects(RawGguf.Header(2, 0).Tensor("a", GgmlType.F32, 0, 1).Tensor("a", GgmlType.F32, 32, 1).PadTo(32).Zeros(64).ToArray(), "'a' appears twice");

    [Fact]
    public void OverlongTensorName() =>
        Rejects(WithTensor(r => r.Tensor(new string('n', 64), GgmlType.F32, 0, 1)), "longer than 63 bytes");

    [Fact]
    public void WellFormedTensor_Parses()
    {
        using var file = GgufFile.Parse(WithTensor(r => r.Tensor("t", GgmlType.Q8_0, 0, 32, 2), dataBytes: 96));
        Assert.Equal(68, file.GetTensorBytes(file.GetTensor("t")).Length);
    }

    [Fact]
    public void ErrorsFromOpen_NameTheFilePath()
    {
        string dir = Wallfacer.TestSupport.TestPaths.NewTempDir();
        try
        {
            string path = Path.Combine(dir, "bad.gguf");
            File.WriteAllBytes(path, RawGguf.Header(0, 0, version: 1).ToArray());
            var e = Assert.Throws<GgufFormatException>(() => GgufFile.Open(path));
            Assert.Equal(path, e.FilePath);
            Assert.StartsWith($"{path}: at offset 4: unsupported GGUF version 1", e.Message);
            File.WriteAllBytes(path, []);
            Assert.Throws<GgufFormatException>(() => GgufFile.Open(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A one-tensor file: header, the tensor info, padding, then <paramref name="dataBytes"/> zeros.</summary>
    private static byte[] WithTensor(Action<RawGguf> tensorInfo, int dataBytes = 1024)
    {
        var raw = RawGguf.Header(1, 0);
        tensorInfo(raw);
        return raw.PadTo(32).Zeros(dataBytes).ToArray();
    }
}
