"""What every emulated service shares: clock, identity, state, timeline, ids."""
