namespace Wallfacer.Gguf.Tests;

/// <summary>Typed access to values and metadata, and the errors for a wrong type.</summary>
public sealed class GgufValueTests
{
    [Fact]
    public void IntegerAccessors_AcceptAnyIntegerThatFits()
    {
        Assert.Equal(7, GgufValue.FromUInt8(7).AsInt32());
        Assert.Equal(7u, GgufValue.FromInt64(7).AsUInt32());
        Assert.Equal(-5L, GgufValue.FromInt8(-5).AsInt64());
        Assert.Equal(uint.MaxValue, GgufValue.FromUInt64(uint.MaxValue).AsUInt32());
        Assert.Equal(ulong.MaxValue, GgufValue.FromUInt64(ulong.MaxValue).AsUInt64());
    }

    [Fact]
    public void IntegerAccessors_RejectValuesThatDoNotFit()
    {
        Assert.Throws<InvalidCastException>(() => GgufValue.FromUInt32(uint.MaxValue).AsInt32());
        Assert.Throws<InvalidCastException>(() => GgufValue.FromInt32(-1).AsUInt32());
        Assert.Throws<InvalidCastException>(() => GgufValue.FromUInt64(ulong.MaxValue).AsInt64());
        Assert.Throws<InvalidCastException>(() => GgufValue.FromSingle(1f).AsInt32());
        Assert.Throws<InvalidCastException>(() => GgufValue.FromString("1").AsInt32());
        Assert.Throws<InvalidCastException>(() => GgufValue.FromBool(true).AsInt32());
    }

    [Fact]
    public void FloatAccessors_ConvertFromOtherNumbers()
    {
        Assert.Equal(0.5f, GgufValue.FromDouble(0.5).AsSingle());
        Assert.Equal(3.0, GgufValue.FromInt32(3).AsDouble());
        Assert.Equal(1e-6f, GgufValue.FromSingle(1e-6f).AsSingle());
        Assert.Throws<InvalidCastException>(() => GgufValue.FromString("x").AsSingle());
    }

    [Fact]
    public void ArrayAccessors_ReturnCopies()
    {
        var value = GgufValue.FromSingleArray([1f, 2f]);
        float[] copy = value.AsSingleArray();
        copy[0] = 99f;
        Assert.Equal([1f, 2f], value.AsSingleArray());
        Assert.Equal(2, value.ArrayLength);
    }

    [Fact]
    public void ArrayAccessors_ConvertIntegerArraysThatFit()
    {
        Assert.Equal([1, 2], GgufValue.FromUInt32Array([1, 2]).AsInt32Array());
        Assert.Equal([1L, -2L], GgufValue.FromInt32Array([1, -2]).AsInt64Array());
        Assert.Throws<InvalidCastException>(() => GgufValue.FromUInt32Array([uint.MaxValue]).AsInt32Array());
        Assert.Throws<InvalidCastException>(() => GgufValue.FromInt32Array([1]).AsStringArray());
        Assert.Throws<InvalidCastException>(() => GgufValue.FromInt32(1).ArrayLength);
    }

    [Fact]
    public void AsArray_BoxesTypedElementsIntoValues()
    {
        var items = GgufValue.FromInt32Array([4, 5]).AsArray();
        Assert.Equal(GgufValueType.Int32, items[1].Type);
        Assert.Equal(5, items[1].AsInt32());
    }

    [Fact]
    public void FromArray_PacksScalarsIntoATypedArray()
    {
        var value = GgufValue.FromArray(GgufValueType.Int32, [GgufValue.FromInt32(1), GgufValue.FromInt32(2)]);
        Assert.IsType<int[]>(value.Value);
        Assert.Equal(GgufValue.FromInt32Array([1, 2]), value);
        Assert.Throws<ArgumentException>(() => GgufValue.FromArray(GgufValueType.Int32, [GgufValue.FromUInt32(1)]));
    }

    [Fact]
    public void FromArray_RejectsNestingDeeperThanTheLimit()
    {
        var value = GgufValue.FromInt32Array([1]);
        for (int depth = 1; depth < GgufLimits.MaxArrayNesting; depth++)
            value = GgufValue.FromArray(GgufValueType.Array, [value]);
        Assert.Throws<ArgumentException>(() => GgufValue.FromArray(GgufValueType.Array, [value]));
    }

    [Fact]
    public void Equality_IsStructural_AndBitwiseForFloats()
    {
        Assert.Equal(GgufValue.FromStringArray(["a", "b"]), GgufValue.FromStringArray(["a", "b"]));
        Assert.NotEqual(GgufValue.FromStringArray(["a", "b"]), GgufValue.FromStringArray(["a", "c"]));
        Assert.Equal(GgufValue.FromSingle(float.NaN), GgufValue.FromSingle(float.NaN));
        Assert.NotEqual(GgufValue.FromSingle(0f), GgufValue.FromSingle(-0f));
        Assert.NotEqual(GgufValue.FromInt32(1), GgufValue.FromUInt32(1));
    }

    [Fact]
    public void Metadata_GettersUseDefaultsOnlyWhenTheKeyIsAbsent()
    {
        var metadata = new GgufMetadata([new("a", GgufValue.FromUInt32(3)), new("s", GgufValue.FromString("x"))]);
        Assert.Equal(3u, metadata.GetUInt32("a", 9));
        Assert.Equal(9u, metadata.GetUInt32("missing", 9));
        Assert.Equal(2.5f, metadata.GetSingle("missing", 2.5f));
        Assert.True(metadata.GetBool("missing", true));
        Assert.Null(metadata.GetStringOrNull("missing"));
        Assert.Null(metadata.GetInt32ArrayOrNull("missing"));
        Assert.Throws<GgufFormatException>(() => metadata.GetUInt32("s", 9));
    }

    [Fact]
    public void Metadata_WrongTypeNamesKeyExpectedAndActualType_AndTheOffset()
    {
        using var file = GgufFile.Parse(GgufTestData.SampleBytes(), "sample.gguf");
        var e = Assert.Throws<GgufFormatException>(() => file.Metadata.GetUInt32("test.string"));
        Assert.Contains("'test.string'", e.Message);
        Assert.Contains("UInt32", e.Message);
        Assert.Contains("String", e.Message);
        Assert.StartsWith("sample.gguf: at offset ", e.Message);
        Assert.Equal(file.Metadata.GetOffset("test.string"), e.Offset);
        Assert.True(e.Offset > 24);
    }

    [Fact]
    public void Metadata_MissingKeyIsNamed()
    {
        var metadata = new GgufMetadata([]);
        var e = Assert.Throws<KeyNotFoundException>(() => metadata.GetString("general.name"));
        Assert.Contains("'general.name'", e.Message);
    }

    [Fact]
    public void Metadata_RejectsDuplicateKeys()
    {
        Assert.Throws<ArgumentException>(() => new GgufMetadata([new("a", GgufValue.FromBool(true)), new("a", GgufValue.FromBool(false))]));
    }
}
