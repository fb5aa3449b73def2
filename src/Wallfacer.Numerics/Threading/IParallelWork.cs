namespace Wallfacer.Numerics.Threading;

/// <summary>
/// A unit of work split over items <c>[0, count)</c>. The pool hands each worker one contiguous range;
/// an implementation must write only outputs that belong to its items, so the result never depends on
/// how many workers ran (design decision 4: identical results at any thread count).
/// </summary>
public interface IParallelWork
{
    /// <summary>Processes items <c>[start, end)</c>. <paramref name="worker"/> indexes per-worker scratch.</summary>
    void Execute(int worker, int start, int end);
}
