using Wallfacer.Numerics.Memory;

namespace Wallfacer.Numerics.Tests;

/// <summary>
/// <see cref="HugePageMemory"/>: every byte of a buffer of either kind is usable and keeps what was written; large
/// huge-page buffers on Linux are mappings of their own aligned to 2 MiB (where the advice can take effect); small ones,
/// and all by default, come from the native heap.
/// </summary>
public unsafe class HugePageMemoryTests
{
    [Theory]
    [InlineData(1, true)]
    [InlineData(4096 + 3, true)]
    [InlineData((2 << 20) - 1, true)]
    [InlineData((2 << 20) * 2 + 12345, true)]
    [InlineData((2 << 20) * 2 + 12345, false)]
    public void Every_byte_keeps_what_was_written(long bytes, bool hugePages)
    {
        var buffer = HugePageMemory.Allocate(bytes, hugePages);
        try
        {
            Assert.Equal(0, (nint)buffer.Data % 64);
            var span = new Span<byte>(buffer.Data, checked((int)bytes));
            for (int i = 0; i < span.Length; i++)
                span[i] = (byte)(i * 7 + (i >> 12));
            for (int i = 0; i < span.Length; i++)
                Assert.True(span[i] == (byte)(i * 7 + (i >> 12)), $"byte {i} of {bytes}");
        }
        finally
        {
            HugePageMemory.Free(buffer);
        }
    }

    [Fact]
    public void Large_buffers_on_Linux_are_their_own_mappings_aligned_to_a_huge_page()
    {
        long bytes = (2 << 20) * 3 + 100;
        var buffer = HugePageMemory.Allocate(bytes, hugePages: true);
        try
        {
            if (!OperatingSystem.IsLinux())
            {
                Assert.Equal((nuint)0, buffer.MappedLength);
                return;
            }
            Assert.Equal(0, (nint)buffer.Data % (2 << 20));
            Assert.True(buffer.MappedLength >= (nuint)bytes && buffer.MappedLength % (nuint)Environment.SystemPageSize == 0,
                $"mapped {buffer.MappedLength} for {bytes}");
        }
        finally
        {
            HugePageMemory.Free(buffer);
        }
    }

    [Fact]
    public void Small_buffers_and_by_default_all_come_from_the_native_heap()
    {
        var small = HugePageMemory.Allocate(1000, hugePages: true);
        Assert.Equal((nuint)0, small.MappedLength);
        HugePageMemory.Free(small);
        var large = HugePageMemory.Allocate(3 << 20);
        Assert.Equal(HugePageMemory.Enabled && OperatingSystem.IsLinux(), large.MappedLength > 0);
        HugePageMemory.Free(large);
    }
}
