using Challenges.Api.Storage;

namespace Challenges.Api.Push;

/// <summary>A push challenge ready to be stored: its parts on the user's slot, each device's pointer, and what follows.</summary>
public sealed record PreparedPush(PushChallengeRecord Challenge, StoreWrite Write, Func<Task> Show, Action Announce);
