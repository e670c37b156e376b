import { blackScholes } from "./black-scholes";
import { lorenz } from "./lorenz";
import { newton } from "./newton";
import { tutorial } from "./tutorial";

tutorial();
newton();
lorenz();
blackScholes();
