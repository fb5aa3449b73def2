using System.Buffers;
using System.Runtime.InteropServices;

namespace Wallfacer.Numerics.Kernels;

/// <summary>Fills <paramref name="destination"/> with rows [<paramref name="firstRow"/>, <paramref name="firstRow"/> + <paramref name="count"/>) of a row-major matrix.</summary>
public delegate void RowReader(int firstRow, int count, Span<byte> destination);

/// <summary>
/// A weight matrix re-laid at load for a kernel (<see cref="Q4_0Interleaved.Matrix"/>, <see cref="Q5_0Sliced.Matrix"/>):
/// 64-byte-aligned native memory, freed on dispose, filled by reading the row-major source once in chunks of rows on
/// the machine's threads (this runs at model load, where it is part of the time to the first token).
/// </summary>
public abstract unsafe class RelaidCopy : IDisposable
{
    private byte* _data;

    /// <summary>Allocates <paramref name="bytes"/> and fills them: <paramref name="relay"/>(source rows, first row, count, destination) per chunk.</summary>
    /// <param name="rows">Rows of the source.</param>
    /// <param name="rowBytes">Bytes per source row.</param>
    /// <param name="rowsPerChunk">Rows read per chunk (a multiple of whatever unit <paramref name="relay"/> works in).</param>
    /// <param name="bytes">Bytes of the copy.</param>
    /// <param name="read">Reads source rows.</param>
    /// <param name="relay">Re-lays one chunk of source rows into the copy.</param>
    protected RelaidCopy(int rows, long rowBytes, int rowsPerChunk, long bytes, RowReader read, Relay relay)
    {
        _data = (byte*)NativeMemory.AlignedAlloc((nuint)Math.Max(bytes, 1), 64);
        Bytes = bytes;
        try
        {
            byte* to = _data;
            Parallel.For(0, (rows + rowsPerChunk - 1) / rowsPerChunk, chunk =>
            {
                int first = chunk * rowsPerChunk, count = Math.Min(rows - first, rowsPerChunk);
                int length = checked((int)(count * rowBytes));
                byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
                try
                {
                    read(first, count, buffer.AsSpan(0, length));
                    fixed (byte* from = buffer)
                        relay(from, first, count, to);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            });
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Re-lays source rows [<paramref name="firstRow"/>, + <paramref name="count"/>) held at <paramref name="source"/> into the copy at <paramref name="destination"/>.</summary>
    protected delegate void Relay(byte* source, int firstRow, int count, byte* destination);

    /// <summary>The copy's first byte (valid until dispose).</summary>
    protected byte* Data => _data;

    /// <summary>The re-laid matrix (valid until dispose).</summary>
    public WeightMatrix Weights { get; protected init; }

    /// <summary>Bytes of native memory held.</summary>
    public long Bytes { get; }

    public void Dispose()
    {
        if (_data == null)
            return;
        NativeMemory.AlignedFree(_data);
        _data = null;
        GC.SuppressFinalize(this);
    }

    /// <summary>A reader of a row-major matrix already in memory.</summary>
    protected static RowReader Copier(in WeightMatrix source)
    {
        byte* data = source.Data;
        long rowBytes = source.RowBytes;
        return (first, count, destination) => new ReadOnlySpan<byte>(data + first * rowBytes, checked((int)(count * rowBytes))).CopyTo(destination);
    }

    /// <summary><paramref name="source"/> if it is a row-major matrix of <paramref name="type"/>; else an error naming both.</summary>
    protected static WeightMatrix Checked(in WeightMatrix source, Quants.GgmlType type, string what) =>
        source.Type == type && source.Layout == WeightLayout.RowMajor ? source
            : throw new ArgumentException($"Only row-major {type} matrices are {what}, not {source.Type} ({source.Layout}).", nameof(source));
}
