/**
 * Tells the router its precomputed lookups are out of date. The services that change links and
 * rules bump it after each change; the router rebuilds on the next alert, not on every alert.
 */
export class ChangeSignal {
  private current = 0;

  get version(): number {
    return this.current;
  }

  bump(): void {
    this.current++;
  }
}
