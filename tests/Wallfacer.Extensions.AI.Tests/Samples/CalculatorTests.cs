using LocalAssistant.Tools;

namespace Wallfacer.Extensions.AI.Tests.Samples;

/// <summary>The sample's arithmetic parser: precedence, associativity, numbers, and errors that say where.</summary>
public class CalculatorTests
{
    [Theory]
    [InlineData("1 + 2 * 3", "7")]
    [InlineData("(1 + 2) * 3", "9")]
    [InlineData("10 - 4 - 3", "3")]
    [InlineData("2 ^ 3 ^ 2", "512")]
    [InlineData("-2 ^ 2", "-4")]
    [InlineData("2 ^ -1", "0.5")]
    [InlineData("--3", "3")]
    [InlineData("+4 * -(2 - 5)", "12")]
    [InlineData("7 / 2", "3.5")]
    [InlineData("0.1 + 0.2", "0.3")]
    [InlineData(".5 * 4.", "2")]
    [InlineData("  ( ( 2 ) )  ", "2")]
    [InlineData("17 / 100 * 2350", "399.5")]
    public void Evaluates_arithmetic(string expression, string expected) =>
        Assert.Equal(expected, Calculator.Calculate(expression));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("2 +", "expected a number but the expression ended at position 4")]
    [InlineData("2 * (3 + 4", "missing ')' at position 11")]
    [InlineData("2 + 3)", "unexpected ')' at position 6")]
    [InlineData("1.2.3", "'1.2.3' is not a number at position 1")]
    [InlineData("2 + x", "expected a number but found 'x' at position 5")]
    [InlineData("Math.Sqrt(4)", "expected a number but found 'M' at position 1")]
    [InlineData("3 4", "unexpected '4' at position 3")]
    public void Bad_input_is_a_format_error_that_says_where(string expression, string expected)
    {
        var error = Assert.Throws<FormatException>(() => Calculator.Calculate(expression));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Division_by_zero_and_overflow_are_clear_errors()
    {
        Assert.Contains("division by zero", Assert.Throws<DivideByZeroException>(() => Calculator.Calculate("1 / (2 - 2)")).Message);
        Assert.Contains("too large", Assert.Throws<OverflowException>(() => Calculator.Calculate("10 ^ 400")).Message);
    }

    [Fact]
    public void Deep_nesting_and_long_input_are_refused_before_they_cost_anything()
    {
        string deep = new string('(', 200) + "1" + new string(')', 200);
        Assert.Contains("nests deeper", Assert.Throws<FormatException>(() => Calculator.Calculate(deep)).Message);
        Assert.Contains("nests deeper", Assert.Throws<FormatException>(() => Calculator.Calculate(new string('-', 200) + "1")).Message);
        Assert.Contains("at most 1000", Assert.Throws<FormatException>(() => Calculator.Calculate(string.Join("+", Enumerable.Repeat("1", 600)))).Message);
    }
}
