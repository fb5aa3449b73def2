using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// A weight type whose <see cref="VecDot.Dot"/> (on AVX2/AVX-512 machines) keeps one 8-lane float accumulator and
/// adds, once per step (a 32-element block, or a 256-element super-block), the step's eight int32 lane sums times
/// the fp32 product dw·dx — Q5_0 (× Q8_0), Q4_K and Q6_K (× Q8_K). <see cref="MatMulLaneTiles{TFormat}"/> runs
/// two tokens per 512-bit vector (one per 256-bit half), so each half repeats that order exactly.
/// <para>
/// A step is made of <see cref="Chunks"/> chunks of 32 elements. Per chunk the weights are prepared once per row
/// as 32 unsigned bytes (the stored level, not yet re-centred) and 32 int16 multipliers (the chunk's sub-block
/// scales, one per int16 lane), and the kernel forms lane sums as
/// <c>Σ₄ mult·((q·y pair sums) − companion)</c>, where the companion removes the
/// re-centring offset: <c>offset·(y pair sums)</c>, formed once per (token, chunk) and shared by the tile's rows. Every intermediate stays within int16/int32 exactly, so the lane
/// sums equal those of <see cref="VecDot.Dot"/>.
/// </para>
/// </summary>
internal unsafe interface ILaneTileFormat
{
    /// <summary>Bytes per weight step (block or super-block).</summary>
    static abstract int WeightStepBytes { get; }

    /// <summary>Elements per step.</summary>
    static abstract int StepElements { get; }

    /// <summary>32-element chunks per step.</summary>
    static abstract int Chunks { get; }

    /// <summary>log₂ of the re-centring offset (Q5_0: 16, Q6_K: 32), or 0 when the levels need none (Q4_K).</summary>
    static abstract int OffsetShift { get; }

    /// <summary>True when the dot product subtracts dmin·dy·Σ m_g·Σy_g (Q4_K's mins).</summary>
    static abstract bool HasMins { get; }

    /// <summary>True when every multiplier is 1 (one scale per step, applied in float): the kernel skips loading them.</summary>
    static abstract bool UnitMultipliers { get; }

    /// <summary>Bytes per activation step (Q8_0 block or Q8_K super-block).</summary>
    static abstract int ActivationStepBytes { get; }

    /// <summary>Where an activation step's int8 values start.</summary>
    static abstract int ActivationQsOffset { get; }

    /// <summary>An activation step's scale dy.</summary>
    static abstract float ActivationScale(byte* step);

    /// <summary>
    /// One weight step → per chunk 32 level bytes (<paramref name="levels"/>, 32 apart) and 32 int16 multipliers
    /// (<paramref name="multipliers"/>, 64 apart; null for <see cref="UnitMultipliers"/>), the scale d, and for
    /// <see cref="HasMins"/> dmin and the eight mins.
    /// </summary>
    static abstract void PrepareStep(byte* step, byte* levels, short* multipliers, float* d, float* dmin, int* mins);
}

/// <summary>Q5_0 · Q8_0 (VecDotQ5_0.Dot256): one 32-element block per step, levels 0..31, offset 16, multiplier 1.</summary>
internal readonly unsafe struct Q5_0Lanes : ILaneTileFormat
{
    public static int WeightStepBytes => BlockQ5_0.BlockBytes;
    public static int StepElements => 32;
    public static int Chunks => 1;
    public static int OffsetShift => 4;
    public static bool HasMins => false;
    public static bool UnitMultipliers => true;
    public static int ActivationStepBytes => 34;
    public static int ActivationQsOffset => 2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ActivationScale(byte* step) => HalfConvert.HalfToSingle(Unsafe.ReadUnaligned<ushort>(step));

    public static void PrepareStep(byte* step, byte* levels, short* multipliers, float* d, float* dmin, int* mins)
    {
        *d = HalfConvert.HalfToSingle(Unsafe.ReadUnaligned<ushort>(step));
        uint high = Unsafe.ReadUnaligned<uint>(step + 2);
        Vector256<byte> q = VecDotInt8.SplitNibbles(Vector128.Load(step + 6)) | (VecDotInt8.ExpandBits(high) & Vector256.Create((byte)0x10));
        q.Store(levels); // UnitMultipliers: none stored
    }
}

/// <summary>Q4_K · Q8_K (VecDotQ4K.Dot256): eight 32-element groups per step, levels 0..15, multiplier = the group's 6-bit scale.</summary>
internal readonly unsafe struct Q4KLanes : ILaneTileFormat
{
    public static int WeightStepBytes => BlockQ4K.BlockBytes;
    public static int StepElements => 256;
    public static int Chunks => 8;
    public static int OffsetShift => 0;
    public static bool HasMins => true;
    public static bool UnitMultipliers => false;
    public static int ActivationStepBytes => BlockQ8K.BlockBytes;
    public static int ActivationQsOffset => BlockQ8K.QsOffset;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ActivationScale(byte* step) => Unsafe.ReadUnaligned<float>(step);

    public static void PrepareStep(byte* step, byte* levels, short* multipliers, float* d, float* dmin, int* mins)
    {
        *d = HalfConvert.HalfToSingle(Unsafe.ReadUnaligned<ushort>(step));
        *dmin = HalfConvert.HalfToSingle(Unsafe.ReadUnaligned<ushort>(step + 2));
        var packed = new ReadOnlySpan<byte>(step + BlockQ4K.ScalesOffset, 12);
        for (int c = 0; c < 4; c++)
        {
            Vector256<byte> q = Vector256.Load(step + BlockQ4K.QsOffset + 32 * c);
            (q & Vector256.Create((byte)0x0F)).Store(levels + 64 * c);
            Vector256.ShiftRightLogical(q, 4).Store(levels + 64 * c + 32);
        }
        for (int g = 0; g < 8; g++)
        {
            QuantMath.GetScaleMinK4(g, packed, out int sc, out int m);
            Vector512.Create((short)sc).Store(multipliers + 32 * g);
            mins[g] = m;
        }
    }
}

/// <summary>Q6_K · Q8_K (VecDotQ6K.Dot256): eight 32-element chunks per step, levels 0..63, offset 32, two 16-element scales per chunk.</summary>
internal readonly unsafe struct Q6KLanes : ILaneTileFormat
{
    public static int WeightStepBytes => BlockQ6K.BlockBytes;
    public static int StepElements => 256;
    public static int Chunks => 8;
    public static int OffsetShift => 5;
    public static bool HasMins => false;
    public static bool UnitMultipliers => false;
    public static int ActivationStepBytes => BlockQ8K.BlockBytes;
    public static int ActivationQsOffset => BlockQ8K.QsOffset;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ActivationScale(byte* step) => Unsafe.ReadUnaligned<float>(step);

    public static void PrepareStep(byte* step, byte* levels, short* multipliers, float* d, float* dmin, int* mins)
    {
        *d = HalfConvert.HalfToSingle(Unsafe.ReadUnaligned<ushort>(step + BlockQ6K.DOffset));
        sbyte* scales = (sbyte*)(step + BlockQ6K.ScalesOffset);
        for (int h = 0; h < 2; h++)
        {
            Vector256<byte> ql0 = Vector256.Load(step + 64 * h), ql1 = Vector256.Load(step + 64 * h + 32);
            Vector256<byte> qh = Vector256.Load(step + BlockQ6K.QhOffset + 32 * h);
            for (int k = 0; k < 4; k++)
            {
                // Chunk 4h + k, as VecDotQ6K.Dot256 forms it: a nibble of ql0/ql1 and two bits of qh.
                Vector256<byte> ql = (k & 1) == 0 ? ql0 : ql1;
                Vector256<byte> low = k < 2 ? ql & Vector256.Create((byte)0x0F) : Vector256.ShiftRightLogical(ql, 4);
                Vector256<byte> high = Vector256.ShiftLeft(Vector256.ShiftRightLogical(qh, 2 * k) & Vector256.Create((byte)0x03), 4);
                int i = 4 * h + k, g = 2 * i;
                (low | high).Store(levels + 32 * i);
                var half = Vector256.Create(Vector128.Create((short)scales[g]), Vector128.Create((short)scales[g + 1]));
                Vector512.Create(half, half).Store(multipliers + 32 * i);
            }
        }
    }
}
