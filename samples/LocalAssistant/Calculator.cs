using System.Globalization;

namespace LocalAssistant;

/// <summary>
/// Evaluates arithmetic — + − × ÷, ^ (right-associative), parentheses, unary minus, decimals — by recursive descent.
/// No dynamic code: anything else is a <see cref="FormatException"/> naming the offset.
/// </summary>
internal sealed class Calculator
{
    private const int MaxLength = 1000, MaxDepth = 100;
    private readonly string _text;
    private int _at, _depth;

    private Calculator(string text) => _text = text;

    public static double Evaluate(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (expression.Length > MaxLength)
            throw new FormatException($"The expression is {expression.Length} characters; at most {MaxLength} are accepted.");
        var calculator = new Calculator(expression);
        double value = calculator.Sum();
        calculator.SkipSpace();
        if (calculator._at < expression.Length)
            throw new FormatException($"Unexpected '{expression[calculator._at]}' at offset {calculator._at}.");
        if (!double.IsFinite(value))
            throw new FormatException("The result is not a finite number (division by zero or overflow).");
        return value;
    }

    private double Sum()
    {
        double value = Product();
        while (true)
        {
            if (Eat('+')) value += Product();
            else if (Eat('-')) value -= Product();
            else return value;
        }
    }

    private double Product()
    {
        double value = Power();
        while (true)
        {
            if (Eat('*')) value *= Power();
            else if (Eat('/')) value /= Power();
            else return value;
        }
    }

    private double Power()
    {
        double value = Unary();
        return Eat('^') ? Math.Pow(value, Power()) : value;
    }

    private double Unary()
    {
        if (++_depth > MaxDepth)
            throw new FormatException($"The expression nests deeper than {MaxDepth} levels.");
        try
        {
            if (Eat('-')) return -Unary();
            if (Eat('+')) return Unary();
            if (Eat('('))
            {
                double value = Sum();
                if (!Eat(')')) throw new FormatException($"Expected ')' at offset {_at}.");
                return value;
            }
            return Number();
        }
        finally
        {
            _depth--;
        }
    }

    private double Number()
    {
        SkipSpace();
        int start = _at;
        while (_at < _text.Length && (char.IsAsciiDigit(_text[_at]) || _text[_at] == '.'))
            _at++;
        if (start == _at)
            throw new FormatException(_at < _text.Length ? $"Unexpected '{_text[_at]}' at offset {_at}." : "The expression ends too early.");
        if (!double.TryParse(_text.AsSpan(start, _at - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value))
            throw new FormatException($"'{_text[start.._at]}' at offset {start} is not a number.");
        return value;
    }

    private bool Eat(char c)
    {
        SkipSpace();
        if (_at < _text.Length && _text[_at] == c) { _at++; return true; }
        return false;
    }

    private void SkipSpace()
    {
        while (_at < _text.Length && char.IsWhiteSpace(_text[_at])) _at++;
    }
}
