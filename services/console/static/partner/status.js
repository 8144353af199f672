// A batch's status as a tag: the gateway's "processing" until every service has reported
// every chunk, then "complete".
import { tag } from "/static/govuk.js";

export function statusTag(status) {
  return status === "complete" ? tag("Complete", "green") : tag("Processing", "blue");
}
