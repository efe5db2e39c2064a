using Microsoft.Extensions.Time.Testing;


namespace Challenges.Api.Tests.Infrastructure;

/// <summary>The tests' clock: a <see cref="FakeTimeProvider"/> that starts at the real current time and moves only when a test moves it.</summary>
public static class TestClock
{
    public static FakeTimeProvider StartingNow() => new(DateTimeOffset.UtcNow);
}
