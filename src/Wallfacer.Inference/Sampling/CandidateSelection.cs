using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Wallfacer.Inference.Sampling;

/// <summary>
/// Quickselect over candidates by rank: the partial selection behind top-k and top-p, so a
/// 150k-token vocabulary is never fully sorted to find its best few dozen tokens.
/// </summary>
/// <remarks>
/// Plays the role of llama.cpp's bucketed partial sort (src/llama-sampler.cpp,
/// <c>llama_token_data_array_partial_sort</c>) with different algorithms. For a small count (top-k
/// 40 of 150k) a heap of the best so far, kept in place at the front: almost every candidate is
/// rejected by one comparison with the heap's worst. For a large count, Hoare's selection with a
/// median-of-three pivot, falling back to a full sort of the remaining range if the iteration
/// budget runs out (adversarial inputs), so the worst case stays O(n log n). The rank order is
/// total, so the chosen set never depends on the algorithm's path.
/// </remarks>
internal static class CandidateSelection
{
    /// <summary>
    /// Reorders <paramref name="items"/> so that its <paramref name="count"/> best-ranked candidates
    /// occupy <c>[0, count)</c>, in no particular order.
    /// </summary>
    public static void SelectBest(Span<TokenCandidate> items, int count)
    {
        if (count <= 0 || count >= items.Length) return;
        if (count <= items.Length / 16) SelectBestWithHeap(items, count);
        else QuickSelectBest(items, count);
    }

    /// <summary>
    /// Keeps a min-heap by rank (root = worst of the best so far) in <c>[0, count)</c> and swaps in
    /// every later candidate that beats the root. O(n + count log count · log(n / count)) on typical data.
    /// </summary>
    private static void SelectBestWithHeap(Span<TokenCandidate> items, int count)
    {
        Span<TokenCandidate> heap = items[..count];
        for (int i = count / 2 - 1; i >= 0; i--) SiftDown(heap, i);
        for (int i = count; i < items.Length; i++)
        {
            if (TokenCandidate.RanksBefore(items[i], heap[0]))
            {
                (heap[0], items[i]) = (items[i], heap[0]);
                SiftDown(heap, 0);
            }
        }
    }

    /// <summary>
    /// Writes the <paramref name="best"/>.Length best-ranked tokens of raw <paramref name="logits"/> (candidate i is
    /// token i) into <paramref name="best"/>, in no particular order — the set <see cref="SelectBest"/> would leave at
    /// the front of a buffer loaded with all of them, without building that buffer. The same heap; blocks of logits
    /// that cannot beat the heap's worst (all below its logit) are skipped by one vector comparison, and the rest go
    /// through the exact rank test, ties included.
    /// </summary>
    public static void SelectBest(ReadOnlySpan<float> logits, Span<TokenCandidate> best)
    {
        int count = best.Length;
        for (int i = 0; i < count; i++) best[i] = new TokenCandidate(i, logits[i]);
        for (int i = count / 2 - 1; i >= 0; i--) SiftDown(best, i);

        int next = count;
        ref float x = ref MemoryMarshal.GetReference(logits);
        if (Vector512.IsHardwareAccelerated)
        {
            const int width = 16;
            for (; next + width <= logits.Length; next += width)
            {
                var block = Vector512.LoadUnsafe(ref x, (nuint)next);
                if (!Vector512.GreaterThanOrEqualAny(block, Vector512.Create(best[0].Logit))) continue;
                for (int i = next; i < next + width; i++) Offer(best, i, logits[i]);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            const int width = 8;
            for (; next + width <= logits.Length; next += width)
            {
                var block = Vector256.LoadUnsafe(ref x, (nuint)next);
                if (!Vector256.GreaterThanOrEqualAny(block, Vector256.Create(best[0].Logit))) continue;
                for (int i = next; i < next + width; i++) Offer(best, i, logits[i]);
            }
        }

        for (; next < logits.Length; next++) Offer(best, next, logits[next]);
    }

    /// <summary>Puts token <paramref name="token"/> in the heap if it ranks before the heap's worst.</summary>
    private static void Offer(Span<TokenCandidate> heap, int token, float logit)
    {
        var candidate = new TokenCandidate(token, logit);
        if (!TokenCandidate.RanksBefore(candidate, heap[0])) return;
        heap[0] = candidate;
        SiftDown(heap, 0);
    }

    /// <summary>Restores the min-heap property (worst-ranked at the root) below <paramref name="index"/>.</summary>
    private static void SiftDown(Span<TokenCandidate> heap, int index)
    {
        while (true)
        {
            int worst = index, left = 2 * index + 1, right = left + 1;
            if (left < heap.Length && TokenCandidate.RanksBefore(heap[worst], heap[left])) worst = left;
            if (right < heap.Length && TokenCandidate.RanksBefore(heap[worst], heap[right])) worst = right;
            if (worst == index) return;
            (heap[index], heap[worst]) = (heap[worst], heap[index]);
            index = worst;
        }
    }

    private static void QuickSelectBest(Span<TokenCandidate> items, int count)
    {

        int target = count - 1; // the count-th best must land at index target, better ones to its left
        int lo = 0, hi = items.Length - 1;
        int budget = 2 * (int.Log2(items.Length) + 4);
        while (lo < hi)
        {
            if (budget-- == 0)
            {
                items[lo..(hi + 1)].Sort();
                return;
            }

            int pivotIndex = Partition(items, lo, hi, MedianOfThree(items, lo, lo + (hi - lo) / 2, hi));
            if (pivotIndex == target) return;
            if (pivotIndex > target) hi = pivotIndex - 1;
            else lo = pivotIndex + 1;
        }
    }

    /// <summary>
    /// Lomuto partition of [lo, hi] around the candidate at <paramref name="pivotIndex"/>: afterwards
    /// everything ranking before the pivot is to its left and everything else to its right. Returns the
    /// pivot's final index.
    /// </summary>
    private static int Partition(Span<TokenCandidate> items, int lo, int hi, int pivotIndex)
    {
        (items[pivotIndex], items[hi]) = (items[hi], items[pivotIndex]);
        TokenCandidate pivot = items[hi];
        int store = lo;
        for (int i = lo; i < hi; i++)
        {
            if (TokenCandidate.RanksBefore(items[i], pivot))
            {
                (items[i], items[store]) = (items[store], items[i]);
                store++;
            }
        }

        (items[store], items[hi]) = (items[hi], items[store]);
        return store;
    }

    /// <summary>The index among a, b, c whose candidate ranks in the middle.</summary>
    private static int MedianOfThree(Span<TokenCandidate> items, int a, int b, int c)
    {
        bool ab = TokenCandidate.RanksBefore(items[a], items[b]);
        bool bc = TokenCandidate.RanksBefore(items[b], items[c]);
        bool ac = TokenCandidate.RanksBefore(items[a], items[c]);
        if (ab == bc) return b;     // a < b < c or c < b < a
        if (ab == ac) return c;     // b is an extreme and a is on the same side of c as of b
        return a;
    }
}
