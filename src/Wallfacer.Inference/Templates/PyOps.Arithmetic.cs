namespace Wallfacer.Inference.Templates;

/// <summary>Python arithmetic: int stays int (checked), int with float gives float, <c>/</c> always float,
/// <c>//</c> and <c>%</c> floor towards negative infinity, <c>str + str</c>, <c>list + list</c>, <c>str * int</c>.</summary>
internal static partial class PyOps
{
    public static object? Binary(BinaryOp op, object? a, object? b, int maxLength)
    {
        if (op == BinaryOp.Concat)
            return Checked(PythonFormatting.Str(a) + PythonFormatting.Str(b), maxLength);
        if (a is Undefined ua)
            throw ua.Fail();
        if (b is Undefined ub)
            throw ub.Fail();
        return op switch
        {
            BinaryOp.Add => Add(a, b, maxLength),
            BinaryOp.Subtract => Numeric(a, b, "-", (x, y) => checked(x - y), (x, y) => x - y),
            BinaryOp.Multiply => Multiply(a, b, maxLength),
            BinaryOp.Divide => TrueDivide(a, b),
            BinaryOp.FloorDivide => Numeric(a, b, "//", FloorDivide, (x, y) => Math.Floor(x / NonZero(y))),
            BinaryOp.Modulo => a is string format ? PercentFormat.Format(format, b) : Numeric(a, b, "%", FloorModulo, FloorModulo),
            _ => Power(a, b),
        };
    }

    private static object Checked(string s, int maxLength) =>
        s.Length <= maxLength ? s : throw TemplateRenderException.Limit($"a string of {s.Length} characters exceeds the output limit of {maxLength} (JinjaOptions.MaxOutputChars)");

    private static object? Add(object? a, object? b, int maxLength)
    {
        if (a is string s)
            return b is string t ? Checked(s + t, maxLength) : throw TemplateRenderException.Type($"can only concatenate str (not \"{PyTypes.TypeName(b)}\") to str");
        if (a is PyList l)
        {
            if (b is PyList m && m.IsTuple == l.IsTuple)
                return new PyList([.. l.Items, .. m.Items], l.IsTuple);
            string kind = l.IsTuple ? "tuple" : "list";
            throw TemplateRenderException.Type($"can only concatenate {kind} (not \"{PyTypes.TypeName(b)}\") to {kind}");
        }
        return Numeric(a, b, "+", (x, y) => checked(x + y), (x, y) => x + y);
    }

    private static object? Multiply(object? a, object? b, int maxLength)
    {
        if (a is string or PyList && TryInteger(b, out long n))
            return Repeat(a!, n, maxLength);
        if (b is string or PyList && TryInteger(a, out long m))
            return Repeat(b!, m, maxLength);
        return Numeric(a, b, "*", (x, y) => checked(x * y), (x, y) => x * y);
    }

    private static object Repeat(object sequence, long times, int maxLength)
    {
        times = Math.Max(0, times);
        long length = sequence is string s ? s.Length : ((PyList)sequence).Count;
        if (length * times > maxLength)
            throw TemplateRenderException.Limit($"repeating a sequence {times} times exceeds the output limit of {maxLength} (JinjaOptions.MaxOutputChars)");
        if (sequence is string text)
            return string.Concat(Enumerable.Repeat(text, (int)times));
        var list = (PyList)sequence;
        var items = new List<object?>((int)(length * times));
        for (long i = 0; i < times; i++)
            items.AddRange(list.Items);
        return new PyList(items, list.IsTuple);
    }

    private static object TrueDivide(object? a, object? b)
    {
        RequireNumbers(a, b, "/");
        TryNumber(a, out double x);
        TryNumber(b, out double y);
        return y == 0 ? throw TemplateRenderException.Type("division by zero") : x / y;
    }

    private static object Numeric(object? a, object? b, string op, Func<long, long, long> onIntegers, Func<double, double, double> onFloats)
    {
        RequireNumbers(a, b, op);
        try
        {
            if (TryInteger(a, out long x) && TryInteger(b, out long y))
                return onIntegers(x, y);
        }
        catch (OverflowException)
        {
            throw TemplateRenderException.Limit($"integer overflow in '{op}' (values beyond 64 bits are not supported)");
        }
        TryNumber(a, out double p);
        TryNumber(b, out double q);
        return onFloats(p, q);
    }

    private static void RequireNumbers(object? a, object? b, string op)
    {
        if (!TryNumber(a, out _) || !TryNumber(b, out _))
            throw TemplateRenderException.Type($"unsupported operand type(s) for {op}: '{PyTypes.TypeName(a)}' and '{PyTypes.TypeName(b)}'");
    }

    private static double NonZero(double y) => y == 0 ? throw TemplateRenderException.Type("float floor division by zero") : y;

    private static long FloorDivide(long x, long y)
    {
        if (y == 0)
            throw TemplateRenderException.Type("integer division or modulo by zero");
        long q = x / y;
        return (x % y != 0 && (x < 0) != (y < 0)) ? q - 1 : q;
    }

    private static long FloorModulo(long x, long y)
    {
        if (y == 0)
            throw TemplateRenderException.Type("integer division or modulo by zero");
        long r = x % y;
        return r != 0 && (r < 0) != (y < 0) ? r + y : r;
    }

    private static double FloorModulo(double x, double y)
    {
        if (y == 0)
            throw TemplateRenderException.Type("float modulo");
        double r = x % y; // C fmod, then Python's sign rule
        return r != 0 && (r < 0) != (y < 0) ? r + y : r;
    }

    private static object Power(object? a, object? b)
    {
        RequireNumbers(a, b, "** or pow()");
        if (TryInteger(a, out long x) && TryInteger(b, out long y) && y >= 0)
        {
            try
            {
                if (x is 0 or 1)
                    return y == 0 ? 1L : x;
                if (x == -1)
                    return y % 2 == 0 ? 1L : -1L;
                long result = 1;
                for (long i = 0; i < y; i++) // |x| >= 2 overflows within 64 steps
                    result = checked(result * x);
                return result;
            }
            catch (OverflowException)
            {
                throw TemplateRenderException.Limit("integer overflow in '**' (values beyond 64 bits are not supported)");
            }
        }
        TryNumber(a, out double p);
        TryNumber(b, out double q);
        return Math.Pow(p, q);
    }

    public static object? Negate(object? value, bool isMinus) => value switch
    {
        Undefined u => throw u.Fail(),
        long l => (object)(isMinus ? checked(-l) : l),
        bool b => (object)(isMinus ? -(b ? 1L : 0L) : (b ? 1L : 0L)),
        double d => (object)(isMinus ? -d : d),
        _ => throw TemplateRenderException.Type($"bad operand type for unary {(isMinus ? '-' : '+')}: '{PyTypes.TypeName(value)}'"),
    };
}
