namespace Wallfacer.Extensions.AI.Collaboration.Privacy;

/// <summary>
/// The check-digit rules that separate real identifiers from look-alike digit runs: a number that fails its
/// checksum is not reported, which keeps order numbers and timestamps from being treated as card numbers.
/// </summary>
internal static class Checksums
{
    /// <summary>Luhn (ISO/IEC 7812): payment cards.</summary>
    public static bool Luhn(ReadOnlySpan<char> digits)
    {
        int sum = 0;
        bool doubleIt = false;
        for (int i = digits.Length - 1; i >= 0; i--)
        {
            int d = digits[i] - '0';
            if (doubleIt)
            {
                d *= 2;
                if (d > 9)
                    d -= 9;
            }
            sum += d;
            doubleIt = !doubleIt;
        }
        return sum % 10 == 0;
    }

    /// <summary>IBAN (ISO 13616): move the first four characters to the end, letters to 10..35, mod 97 = 1.</summary>
    public static bool Iban(string iban)
    {
        string rearranged = iban[4..] + iban[..4];
        int remainder = 0;
        foreach (char c in rearranged)
        {
            int value = char.IsDigit(c) ? c - '0' : char.ToUpperInvariant(c) - 'A' + 10;
            remainder = value > 9 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
        }
        return remainder == 1;
    }

    /// <summary>China's 18-character resident identity number (GB 11643): ISO 7064 MOD 11-2 over the first 17 digits.</summary>
    public static bool ChineseResidentId(ReadOnlySpan<char> id)
    {
        ReadOnlySpan<int> weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        const string CheckCodes = "10X98765432";
        int sum = 0;
        for (int i = 0; i < 17; i++)
            sum += (id[i] - '0') * weights[i];
        return char.ToUpperInvariant(id[17]) == CheckCodes[sum % 11];
    }

    /// <summary>US Social Security number: area not 000, 666 or 9xx; group not 00; serial not 0000.</summary>
    public static bool UsSocialSecurity(int area, int group, int serial) =>
        area is > 0 and < 900 and not 666 && group > 0 && serial > 0;
}
