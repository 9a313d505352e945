/** The building blocks every card's data shares; the catalog and the per-capability card data import them. */

/** Adaptive Card text colours, used to signal severity and health. */
export type CardColor = 'default' | 'good' | 'warning' | 'attention' | 'accent';

/** Data for a button that runs a chat command. */
export interface CommandButton {
  title: string;
  actionData: { verb: 'command.run'; command: string };
}
