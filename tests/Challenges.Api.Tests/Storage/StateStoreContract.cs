using Challenges.Api.Storage;
using Challenges.Api.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Challenges.Api.Tests.Storage;

/// <summary>The behaviour every <see cref="IStateStore"/> must have; run against Redis and the in-memory store alike.</summary>
public abstract class StateStoreContract
{
    protected abstract IStateStore Store { get; }

    /// <summary>Moves time forward far enough for keys with a time to live of <paramref name="by"/> to be gone.</summary>
    protected abstract Task ExpireAfterAsync(TimeSpan by);

    private static string Tag() => "{" + Guid.NewGuid().ToString("N") + "}";

    [Fact]
    public async Task Exchange_writes_and_returns_the_value_it_replaced()
    {
        var key = $"k:{Tag()}";
        Assert.Null(await Store.ExchangeAsync(key, "first", TimeSpan.FromMinutes(1)));
        Assert.Equal("first", await Store.ExchangeAsync(key, "second", TimeSpan.FromMinutes(1)));
        Assert.Equal("second", await Store.GetAsync(key));
    }

    [Fact]
    public async Task A_work_queue_knows_since_when_its_longest_waiting_member_has_had_work()
    {
        var queue = (IWorkQueue)Store;
        var name = $"q:{Tag()}";
        var start = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        Assert.Null(await queue.OldestAsync(name));

        await queue.AddAsync(name, "first", 1, start);
        await queue.AddAsync(name, "second", 1, start.AddSeconds(5));
        // More work for a member already queued does not make it younger.
        await queue.AddAsync(name, "first", 2, start.AddSeconds(9));
        Assert.Equal(start, await queue.OldestAsync(name));

        var claimed = await queue.ClaimAsync(name, start.AddSeconds(10), start.AddSeconds(70), 10);
        Assert.Equal(["first", "second"], claimed.Select(c => c.Member).Order(StringComparer.Ordinal));
        await queue.ReleaseAsync(name, "first", 2, null, start.AddSeconds(11));
        Assert.Equal(start.AddSeconds(5), await queue.OldestAsync(name));
        Assert.Equal(1, await queue.LengthAsync(name));

        // Rescheduled after a failure, a member keeps waiting since it was added.
        await queue.ReleaseAsync(name, "second", 1, start.AddMinutes(5), start.AddSeconds(12));
        Assert.Equal(start.AddSeconds(5), await queue.OldestAsync(name));
        await queue.ClaimAsync(name, start.AddMinutes(6), start.AddMinutes(7), 10);
        await queue.ReleaseAsync(name, "second", 1, null, start.AddMinutes(6));
        Assert.Null(await queue.OldestAsync(name));
        Assert.Equal(0, await queue.LengthAsync(name));
    }

    [Fact]
    public async Task Get_of_a_missing_key_is_null()
    {
        Assert.Null(await Store.GetAsync($"k:{Tag()}"));
    }

    [Fact]
    public async Task Put_then_get_returns_the_value()
    {
        var key = $"k:{Tag()}";
        Assert.True(await Store.CommitAsync([StateChange.Put(key, "hello ü")]));
        Assert.Equal("hello ü", await Store.GetAsync(key));
    }

    [Fact]
    public async Task Put_if_absent_refuses_an_existing_key_and_keeps_its_value()
    {
        var key = $"k:{Tag()}";
        Assert.True(await Store.CommitAsync([StateChange.PutIfAbsent(key, "first")]));
        Assert.False(await Store.CommitAsync([StateChange.PutIfAbsent(key, "second")]));
        Assert.Equal("first", await Store.GetAsync(key));
    }

    [Fact]
    public async Task Replace_applies_only_when_the_value_is_unchanged()
    {
        var key = $"k:{Tag()}";
        await Store.CommitAsync([StateChange.Put(key, "v1")]);
        Assert.False(await Store.CommitAsync([StateChange.Replace(key, "stale", "v2")]));
        Assert.Equal("v1", await Store.GetAsync(key));
        Assert.True(await Store.CommitAsync([StateChange.Replace(key, "v1", "v2")]));
        Assert.Equal("v2", await Store.GetAsync(key));
    }

    [Fact]
    public async Task A_failed_condition_writes_nothing_of_the_whole_commit()
    {
        var tag = Tag();
        var a = $"a:{tag}";
        var b = $"b:{tag}";
        await Store.CommitAsync([StateChange.Put(a, "kept")]);
        Assert.False(await Store.CommitAsync([StateChange.Put(b, "new"), StateChange.RequireAbsent(a), StateChange.Delete(a)]));
        Assert.Null(await Store.GetAsync(b));
        Assert.Equal("kept", await Store.GetAsync(a));
    }

    [Fact]
    public async Task Delete_removes_and_delete_if_equal_checks_first()
    {
        var key = $"k:{Tag()}";
        await Store.CommitAsync([StateChange.Put(key, "v")]);
        Assert.False(await Store.CommitAsync([StateChange.DeleteIfEqual(key, "other")]));
        Assert.Equal("v", await Store.GetAsync(key));
        Assert.True(await Store.CommitAsync([StateChange.DeleteIfEqual(key, "v")]));
        Assert.Null(await Store.GetAsync(key));
    }

    [Fact]
    public async Task Get_many_returns_values_in_order_with_nulls_for_missing_keys()
    {
        var tag = Tag();
        await Store.CommitAsync([StateChange.Put($"a:{tag}", "1"), StateChange.Put($"c:{tag}", "3")]);
        var values = await Store.GetManyAsync([$"a:{tag}", $"b:{tag}", $"c:{tag}"]);
        Assert.Equal(["1", null, "3"], values);
    }

    [Fact]
    public async Task Keys_with_a_time_to_live_expire()
    {
        var key = $"k:{Tag()}";
        await Store.CommitAsync([StateChange.Put(key, "v", TimeSpan.FromMilliseconds(200))]);
        Assert.Equal("v", await Store.GetAsync(key));
        await ExpireAfterAsync(TimeSpan.FromMilliseconds(200));
        Assert.Null(await Store.GetAsync(key));
    }

    [Fact]
    public async Task Increment_counts_from_one_and_restarts_after_expiry()
    {
        var key = $"r:{Tag()}";
        Assert.Equal(1, await Store.IncrementAsync(key, TimeSpan.FromMilliseconds(200)));
        Assert.Equal(2, await Store.IncrementAsync(key, TimeSpan.FromMilliseconds(200)));
        await ExpireAfterAsync(TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, await Store.IncrementAsync(key, TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Concurrent_increments_are_all_counted()
    {
        var key = $"r:{Tag()}";
        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Store.IncrementAsync(key, TimeSpan.FromMinutes(1))));
        Assert.Equal(51, await Store.IncrementAsync(key, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task Decrement_takes_back_a_count_and_never_creates_a_counter()
    {
        var key = $"r:{Tag()}";
        await Store.DecrementAsync(key);
        Assert.Null(await Store.GetAsync(key));
        await Store.IncrementAsync(key, TimeSpan.FromMinutes(1));
        await Store.IncrementAsync(key, TimeSpan.FromMinutes(1));
        await Store.DecrementAsync(key);
        Assert.Equal(2, await Store.IncrementAsync(key, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task Index_ranges_by_score_and_trims_and_removes()
    {
        var key = $"i:{Tag()}";
        await Store.CommitAsync([StateChange.IndexAdd(key, "b", 20), StateChange.IndexAdd(key, "a", 10), StateChange.IndexAdd(key, "c", 30)]);
        Assert.Equal(["a", "b", "c"], await Store.IndexRangeAsync(key, double.NegativeInfinity, 10));
        Assert.Equal(["b", "c"], await Store.IndexRangeAsync(key, 15, 10));
        Assert.Equal(["b"], await Store.IndexRangeAsync(key, 15, 1));
        await Store.CommitAsync([StateChange.IndexTrim(key, 10), StateChange.IndexRemove(key, "c")]);
        Assert.Equal(["b"], await Store.IndexRangeAsync(key, double.NegativeInfinity, 10));
    }

    [Fact]
    public async Task Adding_a_new_index_member_never_moves_one_already_there()
    {
        var key = $"i:{Tag()}";
        await Store.CommitAsync([StateChange.IndexAdd(key, "a", 10)]);

        Assert.False(await Store.IndexAddNewAsync(key, "a", 5));
        Assert.True(await Store.IndexAddNewAsync(key, "b", 20));
        Assert.False(await Store.IndexAddNewAsync(key, "b", 1));
        Assert.Equal(["b"], await Store.IndexRangeAsync(key, 15, 10));
        Assert.Equal(["a", "b"], await Store.IndexRangeAsync(key, 10, 10));
    }

    [Fact]
    public async Task Concurrent_compare_and_set_updates_lose_nothing()
    {
        var key = $"k:{Tag()}";
        await Store.CommitAsync([StateChange.Put(key, StoreJson.Write(new Counter(0)))]);
        await Task.WhenAll(Enumerable.Range(0, 40).Select(_ =>
            Store.UpdateAsync<Counter>(Retry, key, c => c with { Value = c.Value + 1 }, _ => null)));
        Assert.Equal(40, StoreJson.Read<Counter>((await Store.GetAsync(key))!).Value);
    }

    private static readonly ConflictRetry Retry = new(TimeProvider.System);

    public sealed record Counter(int Value);
}

public sealed class MemoryStateStoreContract : StateStoreContract
{
    private readonly FakeTimeProvider _clock = TestClock.StartingNow();

    public MemoryStateStoreContract() => Store = new MemoryStateStore(_clock);

    protected override IStateStore Store { get; }

    protected override Task ExpireAfterAsync(TimeSpan by)
    {
        _clock.Advance(by + TimeSpan.FromMilliseconds(1));
        return Task.CompletedTask;
    }
}

[Collection(ApiCollection.Name)]
public sealed class RedisStateStoreContract(ApiFixture fixture) : StateStoreContract
{
    protected override IStateStore Store { get; } = new RedisStateStore(
        new RedisConnection(Microsoft.Extensions.Options.Options.Create(new RedisOptions { Configuration = fixture.RedisConfiguration })),
        Microsoft.Extensions.Options.Options.Create(new RedisOptions { KeyPrefix = "contract:" }));

    // Redis expires keys on its own clock: wait the time to live out.
    protected override Task ExpireAfterAsync(TimeSpan by) => Task.Delay(by + TimeSpan.FromMilliseconds(100));
}
