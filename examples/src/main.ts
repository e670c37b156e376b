import { blackScholes } from "./black-scholes";
import { lorenz } from "./lorenz";
import { newton } from "./newton";
import { linearModel } from "./predict";
import { tutorial } from "./tutorial";

tutorial();
linearModel();
newton();
lorenz();
blackScholes();
