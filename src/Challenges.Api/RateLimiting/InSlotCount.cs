using Challenges.Api.Storage;

namespace Challenges.Api.RateLimiting;

/// <summary>A use of a per-user rule not counted yet: whether the limit allows it, and the write that counts it.</summary>
public sealed record InSlotCount(bool Allowed, StoreWrite Write);
