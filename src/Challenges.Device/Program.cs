using Challenges.Device;

return await DeviceCli.RunAsync(args);
