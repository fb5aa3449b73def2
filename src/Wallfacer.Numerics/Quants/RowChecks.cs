namespace Wallfacer.Numerics.Quants;

/// <summary>Argument checks shared by the row-level entry points, with messages that say what is wrong.</summary>
internal static class RowChecks
{
    /// <summary>Throws unless <paramref name="bytes"/> is exactly the size of a row of <paramref name="elements"/> elements.</summary>
    public static void CheckRow(GgmlType type, int bytes, int elements, string paramName)
    {
        if (!GgmlTypeInfo.IsKnown(type))
            throw new NotSupportedException($"Tensor type {type} is not supported.");
        int block = GgmlTypeInfo.BlockSize(type);
        if (elements % block != 0)
            throw new ArgumentException($"A {type} row must hold a multiple of {block} elements; got {elements}.", paramName);
        long expected = GgmlTypeInfo.RowBytes(type, elements);
        if (bytes != expected)
            throw new ArgumentException($"A {type} row of {elements} elements takes {expected} bytes; got {bytes}.", paramName);
    }
}
