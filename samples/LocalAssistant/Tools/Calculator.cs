using System.Globalization;

namespace LocalAssistant.Tools;

/// <summary>
/// The <c>calculate</c> tool: a small recursive-descent parser for arithmetic — <c>+ - * / ^</c>, parentheses,
/// unary minus and plus, decimal numbers. No variables, no functions, no dynamic code. <c>^</c> binds tighter than
/// unary minus and to the right (<c>-2^2 = -4</c>, <c>2^3^2 = 512</c>), as in mathematics.
/// </summary>
/// <remarks>
/// Grammar: <c>expr = term {("+"|"-") term}; term = unary {("*"|"/") unary}; unary = ("-"|"+") unary | power;
/// power = primary ["^" unary]; primary = number | "(" expr ")"</c>. Bad input is a <see cref="FormatException"/>
/// naming the position (1-based), so the model (or a person) can fix it.
/// </remarks>
public sealed class Calculator
{
    /// <summary>Longer expressions are refused: a tool argument, not a program.</summary>
    public const int MaxLength = 1000;

    /// <summary>Deeper nesting is refused, which bounds the parser's recursion.</summary>
    public const int MaxDepth = 64;

    private readonly string _text;
    private int _position;
    private int _depth;

    private Calculator(string text) => _text = text;

    /// <summary>The value of <paramref name="expression"/>, formatted invariantly with up to 15 significant digits.</summary>
    public static string Calculate(string expression) =>
        Evaluate(expression).ToString("G15", CultureInfo.InvariantCulture);

    /// <summary>The value of <paramref name="expression"/>.</summary>
    public static double Evaluate(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (expression.Length > MaxLength)
            throw new FormatException($"The expression is {expression.Length} characters long; at most {MaxLength} are accepted.");
        var parser = new Calculator(expression);
        parser.SkipSpaces();
        if (parser.AtEnd)
            throw new FormatException("The expression is empty: give numbers and operators, e.g. (2 + 3) * 4.");
        double value = parser.Expression();
        if (!parser.AtEnd)
            throw parser.Error($"unexpected '{parser.Current}'");
        if (!double.IsFinite(value))
            throw new OverflowException($"The result of '{expression}' is too large to represent.");
        return value;
    }

    private double Expression()
    {
        Enter();
        double value = Term();
        while (TryTakeEither('+', '-', out char op))
            value = op == '+' ? value + Term() : value - Term();
        _depth--;
        return value;
    }

    private double Term()
    {
        double value = Unary();
        while (TryTakeEither('*', '/', out char op))
        {
            int at = _position;
            double right = Unary();
            if (op == '/' && right == 0)
                throw new DivideByZeroException($"Cannot calculate '{_text}': division by zero (the divisor starts at position {at + 1}).");
            value = op == '*' ? value * right : value / right;
        }
        return value;
    }

    private double Unary()
    {
        if (TryTake('-'))
            return -Nested(Unary);
        if (TryTake('+'))
            return Nested(Unary);
        return Power();
    }

    private double Power()
    {
        double value = Primary();
        return TryTake('^') ? Math.Pow(value, Nested(Unary)) : value;
    }

    private double Primary()
    {
        if (TryTake('('))
        {
            double value = Expression();
            if (!TryTake(')'))
                throw Error(AtEnd ? "missing ')'" : $"expected ')' but found '{Current}'");
            return value;
        }
        return Number();
    }

    private double Number()
    {
        int start = _position;
        while (!AtEnd && (char.IsAsciiDigit(Current) || Current == '.'))
            _position++;
        string digits = _text[start.._position];
        if (digits.Length == 0)
            throw Error(AtEnd ? "expected a number but the expression ended" : $"expected a number but found '{Current}'", start);
        if (!double.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || digits == ".")
            throw Error($"'{digits}' is not a number", start);
        SkipSpaces();
        return value;
    }

    /// <summary>Runs a nested rule with the depth bound (unary chains and powers recurse too).</summary>
    private double Nested(Func<double> rule)
    {
        Enter();
        double value = rule();
        _depth--;
        return value;
    }

    private void Enter()
    {
        if (++_depth > MaxDepth)
            throw Error($"the expression nests deeper than {MaxDepth} levels");
    }

    private bool TryTakeEither(char first, char second, out char taken)
    {
        taken = AtEnd ? '\0' : Current;
        return (taken == first || taken == second) && TryTake(taken);
    }

    private bool TryTake(char c)
    {
        if (AtEnd || Current != c)
            return false;
        _position++;
        SkipSpaces();
        return true;
    }

    private void SkipSpaces()
    {
        while (!AtEnd && char.IsWhiteSpace(Current))
            _position++;
    }

    private bool AtEnd => _position >= _text.Length;

    private char Current => _text[_position];

    private FormatException Error(string what, int? at = null) =>
        new($"Cannot calculate '{_text}': {what} at position {(at ?? _position) + 1}.");
}
