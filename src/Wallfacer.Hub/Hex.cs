namespace Wallfacer.Hub;

/// <summary>Checks for the hashes the hub sends: commits (40 hex digits), git blob ids (40) and SHA-256 (64).</summary>
internal static class Hex
{
    public static bool IsLowerHex(string value, int length) =>
        value.Length == length && value.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
