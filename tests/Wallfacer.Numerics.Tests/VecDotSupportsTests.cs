using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Tests;

public class VecDotSupportsTests
{
    [Fact]
    public void Supports_agrees_with_the_dispatcher_for_every_type()
    {
        foreach (var type in Enum.GetValues<GgmlType>())
        {
            bool dispatches;
            try
            {
                VecDot.ActivationType(type);
                dispatches = true;
            }
            catch (NotSupportedException)
            {
                dispatches = false;
            }
            Assert.True(dispatches == VecDot.Supports(type), type.ToString());
        }
    }
}
