using Challenges.Api.Storage;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Storage;

/// <summary>The behaviour every <see cref="IStateStore"/> must have; run against Redis and the in-memory store alike.</summary>
public abstract class StateStoreContract
{
    protected abstract IStateStore Store { get; }

    /// <summary>Moves time forward far enough for keys with a time to live of <paramref name="by"/> to be gone.</summary>
    protected abstract Task ExpireAfterAsync(TimeSpan by);

    private static string Tag() => "{" + Guid.NewGuid().ToString("N") + "}";

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
    public async Task Concurrent_compare_and_set_updates_lose_nothing()
    {
        var key = $"k:{Tag()}";
        await Store.CommitAsync([StateChange.Put(key, StoreJson.Write(new Counter(0)))]);
        await Task.WhenAll(Enumerable.Range(0, 40).Select(_ =>
            Store.UpdateAsync<Counter>(key, c => c with { Value = c.Value + 1 }, _ => null)));
        Assert.Equal(40, StoreJson.Read<Counter>((await Store.GetAsync(key))!).Value);
    }

    public sealed record Counter(int Value);
}

public sealed class MemoryStateStoreContract : StateStoreContract
{
    private readonly FakeClock _clock = new();

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
