/// What F1 tells a newcomer about how work is done on each screen, beyond its keys.
enum HelpTopics {
    static func workflow(for screen: any Screen) -> [String] {
        switch screen {
        case is HomeScreen:
            ["El menú de su rol: cada opción se abre con su letra o con su tecla F. Desde cualquier pantalla, F2 busca un paciente y F3 abre la agenda.",
             "Al dejar la terminal sin uso, se bloquea y pide su clave; «Bloquear terminal» lo hace al instante."]
        case is AgendaScreen:
            ["Una columna por veterinario y una fila cada 15 minutos. Enter sobre un espacio libre reserva una cita; sobre una cita, la abre para registrar la llegada, moverla o cancelarla.",
             "Marcas: ⚠ la mascota tiene alertas · ◷ llegó y espera · «· libre» horario del veterinario sin citas · vacío: fuera de horario. Los colores son el tipo de cita.",
             "X busca el próximo horario libre del veterinario (⇧X, de cualquiera) y T cambia el tipo buscado. W registra una llegada sin cita. E abre la sala de espera.",
             "PgUp/PgDn cambian de día, H vuelve a hoy, S muestra la semana y L la lista del día. Los cambios de otras terminales aparecen solos."]
        case is AppointmentScreen:
            ["Cuando la mascota llega, L (Llegó) la pasa a la sala de espera y muestra sus alertas y vacunas pendientes. Solo se registra el día de la cita; para otro día, un supervisor debe confirmarlo.",
             "Si la llegada se marcó por error, U la deshace y la cita vuelve a quedar reservada. M mueve la cita, C la cancela con un motivo y N la marca como no asistida cuando ya pasó su hora.",
             "Abajo solo aparecen las acciones posibles en el estado de la cita."]
        case is BookingScreen:
            ["Primero busque la mascota (nombre, propietario, DNI, teléfono o microchip) y elíjala con Enter; Ctrl+N registra un propietario nuevo.",
             "Luego tipo, veterinario, fecha, hora, ambiente y motivo; ← → cambian las opciones. Ctrl+S reserva.",
             "Si el veterinario o el ambiente están ocupados, o es fuera de su horario, se avisa y no se guarda nada. Si la mascota ya tiene otra cita a esa hora, se pide confirmar."]
        case is WaitingRoomScreen:
            ["Las mascotas que llegaron, en orden de llegada, con su tiempo de espera y sus alertas. El veterinario llama con K (En consulta) y termina con A (Atendida)."]
        case is WeekScreen:
            ["La semana de un veterinario, un día por columna. Enter abre el día en la agenda; PgUp/PgDn cambian de semana."]
        case is PatientSearchScreen:
            ["Escriba parte del nombre de la mascota o del propietario, un DNI o RUC, un teléfono o un microchip: los resultados cambian con cada tecla, sin importar tildes ni mayúsculas. Enter abre la mascota.",
             "Ctrl+N registra un propietario nuevo. Si su documento ya está registrado, se avisa y puede abrir a ese propietario en lugar de crear otro."]
        case is OwnerFormScreen:
            ["Cada error aparece junto a su campo y no se guarda nada hasta corregirlo. Un DNI o RUC ya registrado no crea otro propietario: se avisa y se ofrece abrir el existente.",
             "Distrito: basta el nombre (se busca primero en la provincia de la sede), o «nombre, provincia», o el código de ubigeo. Los nombres no admiten emojis ni símbolos."]
        case is PetFormScreen:
            ["Nombre y especie son obligatorios. Sin fecha de nacimiento, indique una edad aproximada (3a, 8m, 2a 6m).",
             "Las alertas, separadas con «;», se muestran en la agenda, al llegar y al recetar: una receta con un medicamento que coincide con una alergia pide confirmación."]
        case is OwnerScreen:
            ["El propietario y sus mascotas. Enter abre la historia de una mascota; N agrega una mascota y E corrige los datos del propietario."]
        case is PetScreen:
            ["La historia clínica de la mascota en todas las sedes, la más reciente primero. Los veterinarios agregan consultas (C), vacunas (V), desparasitaciones (D), recetas (R) y adjuntos (A).",
             "Una consulta se firma al guardarla y su autor puede corregirla durante 24 horas: queda marcada «corregida» con lo que cambió. Después solo admite adendas (N).",
             "Un borrador (marcado con *) es una consulta sin firmar: N la retoma para terminarla y firmarla."]
        case is ClinicalFormScreen:
            ["Enter pasa al siguiente campo y Ctrl+S guarda; una consulta pide confirmar la firma. Anamnesis y Plan son de varias líneas: el texto se ajusta solo.",
             "Ctrl+B guarda la consulta como borrador para terminarla después; si sale con Esc con texto sin guardar, se le ofrece guardarlo como borrador.",
             "En una receta, Ctrl+A agrega otro medicamento. Si uno coincide con una alerta de alergia de la mascota, se muestra y solo se emite si lo confirma; la confirmación queda en la receta."]
        case is UsersScreen:
            ["El personal de la sede y sus roles. Un usuario bloqueado por claves fallidas aparece «Bloqueado»; un supervisor lo desbloquea con D, aun sin conexión con la central."]
        case is SyncScreen:
            ["Lo que la central rechazó y los conflictos de edición entre sedes, para que un supervisor los revise. El estado del enlace está siempre en la barra inferior."]
        case is TillScreen:
            ["Los propietarios con cargos pendientes de hoy (● su mascota fue atendida hoy) y, debajo, las ventas que aún deben algo. Enter abre el cobro.",
             "Para cobrar en efectivo la caja de esta terminal debe estar abierta: O la abre con su fondo contado por denominación. V muestra las ventas del día para reimprimir, anular o devolver."]
        case is CartScreen:
            ["Los cargos de todas las mascotas del propietario, al precio vigente. + y - cambian la cantidad, X quita una línea, A agrega por código de barras o SKU y D aplica un descuento (10% o 5.00).",
             "Un descuento mayor al de su rol pide la clave de un supervisor al cobrar. C cobra: la venta se registra una sola vez aunque pulse C de nuevo."]
        case is PaymentScreen:
            ["Elija el medio en el primer campo (← → o su inicial): efectivo, tarjeta (datos del voucher del POS), Yape o Plin (número de operación), PagoEfectivo (genera un CIP) o transferencia.",
             "En efectivo escriba lo recibido: se muestra el vuelto. Una venta pagada toda en efectivo se redondea a S/ 0.10 a favor del cliente. Siempre se ve lo que falta pagar.",
             "Para pagar en partes, cambie el monto y cobre; luego el resto con otro medio. Ctrl+P deja el saldo en un plan de cuotas; Ctrl+K lo deja a cuenta con la clave de un supervisor."]
        case is SalesTodayScreen:
            ["Las ventas de hoy. I reimprime el comprobante. A anula la venta y D devuelve unidades: ambas piden el motivo y la clave de un supervisor, reponen el stock y devuelven el dinero por el medio elegido."]
        default:
            []
        }
    }
}
