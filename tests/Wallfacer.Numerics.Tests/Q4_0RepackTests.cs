using Wallfacer.Numerics.Kernels;

namespace Wallfacer.Numerics.Tests;

/// <summary>
/// The vector regrouping of Q4_0 rows at load (<see cref="Q4_0Interleaved.Repack"/>) against its one-piece-at-a-time
/// reference, byte for byte: rows that leave a short or an empty half group, odd block counts, a source that starts
/// mid-matrix (as the load's chunks do) and a subrange of groups.
/// </summary>
public class Q4_0RepackTests
{
    public static TheoryData<int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int blocks in new[] { 1, 3, 7, 64 })
            foreach (int rows in new[] { 1, 5, 8, 13, 16, 25, 32, 37 })
                data.Add(blocks, rows, 0);
        data.Add(5, 70, 32);   // the chunk that starts at row 32
        data.Add(9, 64, 48);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public unsafe void Vector_regrouping_matches_the_reference_byte_for_byte(int blocks, int rows, int sourceFirstRow)
    {
        const int blockBytes = 18;
        var random = new Random(blocks * 101 + rows * 7 + sourceFirstRow);
        byte[] source = new byte[(rows - sourceFirstRow) * blocks * blockBytes];
        random.NextBytes(source);
        int firstGroup = sourceFirstRow / Q4_0Interleaved.GroupRows, endGroup = Q4_0Interleaved.Groups(rows);
        long bytes = Q4_0Interleaved.MatrixBytes(rows, blocks * 32);
        // Bytes outside the groups written keep their fill: both paths must leave them alone.
        byte[] expected = Enumerable.Repeat((byte)0xA5, checked((int)bytes)).ToArray();
        byte[] actual = (byte[])expected.Clone();
        fixed (byte* from = source, want = expected, got = actual)
        {
            Q4_0Interleaved.RepackReference(from, sourceFirstRow, rows, blocks * 32, want, firstGroup, endGroup);
            Q4_0Interleaved.Repack(from, sourceFirstRow, rows, blocks * 32, got, firstGroup, endGroup);
        }
        Assert.Equal(expected, actual);
        Assert.Contains(actual, b => b != 0xA5); // something was written
    }

    [Fact]
    public unsafe void Columns_that_are_not_whole_blocks_are_refused()
    {
        byte[] buffer = new byte[64];
        var error = Assert.Throws<ArgumentException>(() =>
        {
            fixed (byte* p = buffer)
                Q4_0Interleaved.Repack(p, 0, 1, 40, p, 0, 1);
        });
        Assert.Contains("40 columns", error.Message);
    }
}
