using Challenges.Api.Storage;

namespace Challenges.Api.Push;

/// <summary>
/// A push challenge ready to be stored: its parts on the user's slot, each device's pointer, and what follows once it
/// is stored (<see cref="Announce"/>: the delivery to its devices, whose sends <see cref="Delivery"/> then holds).
/// </summary>
public sealed record PreparedPush(PushChallengeRecord Challenge, StoreWrite Write, Task<PushDispatch> Delivery, Func<Task> Show, Action Announce);
