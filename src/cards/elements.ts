/** The building blocks every card's data shares; the catalog and the per-capability card data import them. */

/**
 * The colour that signals a severity, a health or an outcome: an Adaptive Card container style,
 * shown as the background of a badge or band behind default text. Coloured text itself is not
 * used: Teams' good and warning text colours fall below 4.5:1 contrast on its light theme, and its
 * attention colour on its dark one.
 */
export type CardColor = 'default' | 'emphasis' | 'good' | 'warning' | 'attention' | 'accent';

/** Data for a button that runs a chat command. */
export interface CommandButton {
  title: string;
  actionData: { verb: 'command.run'; command: string };
}
