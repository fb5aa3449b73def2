namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// A token count known when the JIT compiles a kernel body: kernels generic over it get one instantiation per count,
/// in which the code for absent tokens is removed (the count is a constant).
/// </summary>
internal interface ITokenCount
{
    static abstract int Value { get; }
}

internal readonly struct OneToken : ITokenCount { public static int Value => 1; }

internal readonly struct TwoTokens : ITokenCount { public static int Value => 2; }

internal readonly struct ThreeTokens : ITokenCount { public static int Value => 3; }

internal readonly struct FourTokens : ITokenCount { public static int Value => 4; }

internal readonly struct FiveTokens : ITokenCount { public static int Value => 5; }

internal readonly struct SixTokens : ITokenCount { public static int Value => 6; }

internal readonly struct SevenTokens : ITokenCount { public static int Value => 7; }

internal readonly struct EightTokens : ITokenCount { public static int Value => 8; }
